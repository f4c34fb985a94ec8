// Security facts the dissectors hand to the detectors: DNS queries and answers (UDP and TCP,
// with events off too), and login outcomes of FTP, SMTP, POP3, IMAP, MySQL and HTTP.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "dpi/security_fact.hpp"
#include "udp_test_util.hpp"

using namespace nms;
using namespace nms::dpi;
using namespace nms::dpi::test;

namespace {

struct Seen {
    SecurityFactKind kind;
    std::string name;
    uint16_t qtype;
    uint8_t rcode;
    bool with_packet;
};

struct FactCollector final : SecurityFactSink {
    std::vector<Seen> facts;
    void security_fact(const SecurityFact& f, const decode::PacketView* pkt, const flow::Flow&) noexcept override {
        facts.push_back({f.kind, std::string(f.name), f.qtype, f.rcode, pkt != nullptr});
    }
    [[nodiscard]] size_t count(SecurityFactKind k, std::string_view name = {}) const {
        size_t n = 0;
        for (const auto& f : facts) n += f.kind == k && (name.empty() || f.name == name);
        return n;
    }
};

// One TCP flow through an engine that reports facts; `events` off checks facts do not depend on them.
FactCollector run_tcp(const std::vector<Seg>& segs, uint16_t port, bool events = true) {
    AppEventRing ring(1024);
    DpiLimits limits;
    limits.fallback = false;
    limits.events = events;
    DpiEngine engine(builtin_registry(), 4, limits, &ring, false);
    FactCollector sink;
    engine.set_security_sink(&sink);
    auto f = tcp_flow(7, port);
    uint32_t seq[2] = {1000, 5000};
    TimestampNs ts = 1'000'000;
    for (const auto& s : segs) {
        const int d = s.to_server ? 0 : 1;
        engine.on_packet(tcp_segment(s.data, s.to_server, seq[d], ts, port), f, 0);
        seq[d] += static_cast<uint32_t>(s.data.size());
        ts += 1'000'000;
    }
    engine.on_flow_end(f, 0);
    return sink;
}

std::string dns_message(uint16_t id, uint16_t flags, const std::string& name, uint16_t qtype) {
    std::string m;
    const auto be16 = [&](uint16_t v) {
        m.push_back(static_cast<char>(v >> 8));
        m.push_back(static_cast<char>(v));
    };
    be16(id);
    be16(flags);
    be16(1);
    be16(0);
    be16(0);
    be16(0);
    size_t start = 0;
    while (start <= name.size()) {
        size_t dot = name.find('.', start);
        if (dot == std::string::npos) dot = name.size();
        m.push_back(static_cast<char>(dot - start));
        m += name.substr(start, dot - start);
        start = dot + 1;
    }
    m.push_back('\0');
    be16(qtype);
    be16(1);
    return m;
}

std::string with_length(const std::string& msg) {
    std::string out;
    out.push_back(static_cast<char>(msg.size() >> 8));
    out.push_back(static_cast<char>(msg.size()));
    return out + msg;
}

std::string mysql_packet(uint8_t seq, const std::string& body) {
    std::string p;
    p.push_back(static_cast<char>(body.size()));
    p.push_back(static_cast<char>(body.size() >> 8));
    p.push_back(static_cast<char>(body.size() >> 16));
    p.push_back(static_cast<char>(seq));
    return p + body;
}

}  // namespace

TEST_CASE("DNS queries and answers become facts over UDP, also with events off", "[dpi][dns][security]") {
    for (const bool events : {true, false}) {
        AppEventRing ring(64);
        DpiLimits limits;
        limits.fallback = false;
        limits.events = events;
        DpiEngine engine(builtin_registry(), 4, limits, &ring, false);
        FactCollector sink;
        engine.set_security_sink(&sink);
        auto f = udp_flow(53);
        const std::string q = dns_message(0x1234, 0x0100, "aGVsbG8.t.example.org", 16);
        const std::string r = dns_message(0x1234, 0x8183, "aGVsbG8.t.example.org", 16);  // NXDOMAIN
        engine.on_packet(udp_datagram(q, true, 1000, 53), f, 0);
        engine.on_packet(udp_datagram(r, false, 2000, 53), f, 0);
        REQUIRE(sink.facts.size() == 2);
        CHECK(sink.facts[0].kind == SecurityFactKind::kDnsQuery);
        CHECK(sink.facts[0].name == "aGVsbG8.t.example.org");
        CHECK(sink.facts[0].qtype == 16);
        CHECK(sink.facts[0].with_packet);
        CHECK(sink.facts[1].kind == SecurityFactKind::kDnsResponse);
        CHECK(sink.facts[1].name == "aGVsbG8.t.example.org");
        CHECK(sink.facts[1].rcode == 3);
    }
}

TEST_CASE("DNS over TCP reports facts per message; mDNS reports none", "[dpi][dns][security]") {
    const std::string q1 = with_length(dns_message(1, 0x0100, "a.example.com", 1));
    const std::string q2 = with_length(dns_message(2, 0x0100, "b.example.com", 10));
    const std::string r1 = with_length(dns_message(1, 0x8180, "a.example.com", 1));
    const auto sink = run_tcp({{q1 + q2, true}, {r1, false}}, 53);
    CHECK(sink.count(SecurityFactKind::kDnsQuery) == 2);
    CHECK(sink.count(SecurityFactKind::kDnsQuery, "b.example.com") == 1);
    CHECK(sink.count(SecurityFactKind::kDnsResponse, "a.example.com") == 1);

    AppEventRing ring(64);
    DpiEngine engine(builtin_registry(), 4, {}, &ring, false);
    FactCollector mdns;
    engine.set_security_sink(&mdns);
    auto f = udp_flow(5353, 5353);
    const std::string m = dns_message(0, 0x0000, "printer.local", 1);
    engine.on_packet(udp_datagram(m, true, 1000, 5353, 5353), f, 0);
    CHECK(mdns.facts.empty());
}

TEST_CASE("FTP: 530 after PASS is a refused login, 230 an accepted one; 530 before login is neither",
          "[dpi][ftp][security]") {
    const auto sink = run_tcp({{"220 FTP ready\r\n", false},
                               {"LIST\r\n", true},
                               {"530 Please login with USER and PASS.\r\n", false},
                               {"USER root\r\n", true},
                               {"331 Password required\r\n", false},
                               {"PASS guess1\r\n", true},
                               {"530 Login incorrect.\r\n", false},
                               {"USER root\r\n", true},
                               {"331 Password required\r\n", false},
                               {"PASS guess2\r\n", true},
                               {"230 Login successful.\r\n", false}},
                              21, false);
    CHECK(sink.count(SecurityFactKind::kLoginFailure, "ftp") == 1);
    CHECK(sink.count(SecurityFactKind::kLoginSuccess, "ftp") == 1);
}

TEST_CASE("SMTP: AUTH answered 535 is refused, 235 accepted; 334 steps are not verdicts", "[dpi][smtp][security]") {
    const auto sink = run_tcp({{"220 mail.example.com ESMTP\r\n", false},
                               {"EHLO client\r\n", true},
                               {"250-mail.example.com\r\n250 AUTH LOGIN PLAIN\r\n", false},
                               {"AUTH LOGIN\r\n", true},
                               {"334 VXNlcm5hbWU6\r\n", false},
                               {"cm9vdA==\r\n", true},
                               {"334 UGFzc3dvcmQ6\r\n", false},
                               {"Z3Vlc3M=\r\n", true},
                               {"535 5.7.8 Authentication credentials invalid\r\n", false},
                               {"AUTH PLAIN AHJvb3QAc2VjcmV0\r\n", true},
                               {"235 2.7.0 Authentication successful\r\n", false},
                               {"MAIL FROM:<a@example.com>\r\n", true},
                               {"250 OK\r\n", false}},
                              25);
    CHECK(sink.count(SecurityFactKind::kLoginFailure, "smtp") == 1);
    CHECK(sink.count(SecurityFactKind::kLoginSuccess, "smtp") == 1);
}

TEST_CASE("POP3: -ERR to PASS is refused, +OK to PASS accepted; -ERR to other commands is not a login",
          "[dpi][pop3][security]") {
    const auto sink = run_tcp({{"+OK POP3 server ready\r\n", false},
                               {"USER alice\r\n", true},
                               {"+OK\r\n", false},
                               {"PASS wrong\r\n", true},
                               {"-ERR [AUTH] Authentication failed.\r\n", false},
                               {"USER alice\r\n", true},
                               {"+OK\r\n", false},
                               {"PASS right\r\n", true},
                               {"+OK Logged in.\r\n", false},
                               {"RETR 99\r\n", true},
                               {"-ERR no such message\r\n", false}},
                              110);
    CHECK(sink.count(SecurityFactKind::kLoginFailure, "pop3") == 1);
    CHECK(sink.count(SecurityFactKind::kLoginSuccess, "pop3") == 1);
}

TEST_CASE("IMAP: the tagged NO to LOGIN is refused, OK accepted; other NOs and untagged lines are not",
          "[dpi][imap][security]") {
    const auto sink = run_tcp({{"* OK IMAP4rev1 ready\r\n", false},
                               {"a1 LOGIN alice wrong\r\n", true},
                               {"* BAD something untagged\r\na1 NO [AUTHENTICATIONFAILED] Invalid credentials\r\n",
                                false},
                               {"a2 LOGIN alice right\r\n", true},
                               {"a2 OK LOGIN completed\r\n", false},
                               {"a3 SELECT nosuch\r\n", true},
                               {"a3 NO Mailbox does not exist\r\n", false}},
                              143);
    CHECK(sink.count(SecurityFactKind::kLoginFailure, "imap") == 1);
    CHECK(sink.count(SecurityFactKind::kLoginSuccess, "imap") == 1);
}

TEST_CASE("MySQL: ERR 1045 after the login packet is a refused login", "[dpi][mysql][security]") {
    std::string greeting = std::string("\x0a", 1) + std::string("8.0.36\0", 7) + std::string(4, '\1') +
                           std::string(8, 'a') + std::string(1, '\0') + std::string("\xff\xf7\x21\x02\x00\xff\xc1\x15", 8) +
                           std::string(10, '\0') + std::string(12, 'b') + std::string(1, '\0') +
                           std::string("mysql_native_password\0", 22);
    std::string login = std::string("\x0d\xa2\x0a\x00", 4) + std::string("\0\0\0\x01", 4) + std::string(1, '\x21') +
                        std::string(23, '\0') + std::string("root\0", 5) + std::string(1, '\x14') + std::string(20, 'x');
    std::string error = std::string("\xff\x15\x04", 3) + "#28000Access denied for user 'root'";
    const auto sink = run_tcp({{mysql_packet(0, greeting), false}, {mysql_packet(1, login), true},
                               {mysql_packet(2, error), false}},
                              3306);
    CHECK(sink.count(SecurityFactKind::kLoginFailure, "mysql") == 1);
    CHECK(sink.count(SecurityFactKind::kLoginSuccess) == 0);
}

TEST_CASE("HTTP: each 401 response is a refused login", "[dpi][http][security]") {
    std::vector<Seg> segs;
    for (int i = 0; i < 3; ++i) {
        segs.push_back({"GET /admin HTTP/1.1\r\nHost: router\r\nAuthorization: Basic YWRtaW46eA==\r\n\r\n", true});
        segs.push_back({"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n", false});
    }
    segs.push_back({"GET / HTTP/1.1\r\nHost: router\r\n\r\n", true});
    segs.push_back({"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false});
    const auto sink = run_tcp(segs, 80);
    CHECK(sink.count(SecurityFactKind::kLoginFailure, "http") == 3);
}

TEST_CASE("HTTP: a login form posted to: the form again is a refusal, a redirect a success", "[dpi][http][security]") {
    std::vector<Seg> segs;
    for (int i = 0; i < 4; ++i) {
        segs.push_back({"POST /login.php HTTP/1.1\r\nHost: app\r\nContent-Length: 21\r\n\r\nuser=admin&pass=guess", true});
        segs.push_back({"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false});
    }
    segs.push_back({"POST /LogIn?next=/ HTTP/1.1\r\nHost: app\r\nContent-Length: 0\r\n\r\n", true});
    segs.push_back({"HTTP/1.1 302 Found\r\nLocation: /\r\nContent-Length: 0\r\n\r\n", false});
    // Other posts answered 200 are no logins.
    segs.push_back({"POST /api/items HTTP/1.1\r\nHost: app\r\nContent-Length: 0\r\n\r\n", true});
    segs.push_back({"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false});
    segs.push_back({"GET /login HTTP/1.1\r\nHost: app\r\n\r\n", true});
    segs.push_back({"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false});
    const auto sink = run_tcp(segs, 80);
    CHECK(sink.count(SecurityFactKind::kLoginFailure, "http") == 4);
    CHECK(sink.count(SecurityFactKind::kLoginSuccess, "http") == 1);
}
