#include <catch2/catch.hpp>

#include "corpus_frames.hpp"
#include "devices/p0f_db.hpp"

using namespace nms;
using namespace nms::devices;

namespace {

const P0fDb& real_db() {
    static const P0fDb db = [] {
        P0fDb d;
        d.load_file("/etc/p0f/p0f.fp");
        return d;
    }();
    return db;
}

// The first SYN (or SYN+ACK) sent by `ip` in a corpus capture.
std::optional<TcpSig> first_sig(const std::string& file, const char* ip, bool response) {
    const auto cap = test::read_corpus(file);
    const auto want = IpAddr::parse(ip);
    for (size_t i = 0; i < cap.frames.size(); ++i) {
        const auto v = cap.view(i);
        TcpSig s;
        if (v.src_ip == *want && compute_tcp_sig(v, s) && s.response == response) return s;
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("p0f.fp: the real database parses completely", "[devices][p0f]") {
    const P0fDb& db = real_db();
    if (db.size() == 0) {
        WARN("p0f not installed: skipped");
        return;
    }
    CHECK(db.size() > 100);
    CHECK(db.bad_lines() == 0);
    bool linux311 = false;
    for (const auto& l : db.labels()) linux311 |= l.text() == "Linux 3.11 and newer" && !l.generic && l.os_class == "unix";
    CHECK(linux311);
}

TEST_CASE("p0f sig syntax: wildcards, mss/mtu multiples, bad ttl, quirks", "[devices][p0f]") {
    auto s = parse_p0f_sig("*:64:0:*:mss*20,10:mss,sok,ts,nop,ws:df,id+:0");
    REQUIRE(s);
    CHECK(s->ip_ver == -1);
    CHECK(s->ittl == 64);
    CHECK(s->mss == -1);
    CHECK(s->win_type == P0fSig::Win::kMss);
    CHECK(s->win == 20);
    CHECK(s->wscale == 10);
    CHECK(s->layout == std::vector<uint8_t>{kOptMss, kOptSok, kOptTs, kOptNop, kOptWs});
    CHECK(s->quirks == (kQuirkDf | kQuirkNzId));
    s = parse_p0f_sig("4:64-:0:1460:%8192,*:mss,eol+3:id-,ecn:+");
    REQUIRE(s);
    CHECK(s->bad_ttl);
    CHECK(s->win_type == P0fSig::Win::kMod);
    CHECK(s->eol_pad == 3);
    CHECK(s->pclass == 1);
    s = parse_p0f_sig("*:54+10:0:*:mtu*4,*::flow:0");
    REQUIRE(s);
    CHECK(s->ittl == 64);
    CHECK(s->win_type == P0fSig::Win::kMtu);
    CHECK_FALSE(parse_p0f_sig("*:64:0:*:mss*20,10:mss,bogus:df:0"));
    CHECK_FALSE(parse_p0f_sig("*:64:0:*"));
}

TEST_CASE("p0f matching of real SYN and SYN+ACK frames agrees with p0f -r", "[devices][p0f]") {
    if (real_db().size() == 0) return;
    struct Case {
        const char* file;
        const char* ip;
        bool response;
        const char* os;  // p0f 3.09b's answer (expected/*.json, p0f.hosts)
    };
    const Case cases[] = {
        {"ndpi__http_auth.pcap", "192.168.0.4", false, "MacOS X 10.9 or newer (sometimes iPhone or iPad)"},
        {"ndpi__http_auth.pcap", "192.254.189.169", true, "Linux 3.x"},
        {"ndpi__pop3.pcap", "192.168.0.4", false, "Windows 7 or 8"},
        {"ndpi__WebattackSQLinj.pcap", "172.16.0.1", false, "Linux 3.11 and newer"},
        {"ndpi__ftp-start-tls.pcap", "10.238.26.36", false, "Linux 2.2.x-3.x (barebone)"},
    };
    for (const auto& c : cases) {
        INFO(c.file << " " << c.ip);
        auto s = first_sig(c.file, c.ip, c.response);
        if (!s) s = first_sig(c.file, c.ip, !c.response);
        REQUIRE(s);
        const auto m = real_db().match(*s);
        REQUIRE(m);
        CHECK(m->label->text() == c.os);
    }
}

TEST_CASE("p0f: our own signature text reads back and matches itself", "[devices][p0f]") {
    const auto s = first_sig("ndpi__http_auth.pcap", "192.168.0.4", false);
    REQUIRE(s);
    const std::string text = tcp_sig_to_string(*s);
    CHECK(text == "4:64:0:1460:65535,4:mss,nop,ws,nop,nop,ts,sok,eol+1:df,id+:0");
    P0fDb db;
    CHECK(db.load_text("[tcp:request]\nlabel = s:unix:Test:1\nsig = " + text + "\n", true) == 1);
    const auto m = db.match(*s);
    REQUIRE(m);
    CHECK(m->sig->site);
    CHECK_FALSE(m->fuzzy);
    // Every truncation of a SYN is rejected or parsed without over-reading (ASan checks).
    const auto cap = test::read_corpus("ndpi__http_auth.pcap");
    for (size_t cut = 0; cut <= cap.frames[0].bytes.size(); ++cut) {
        std::vector<uint8_t> b(cap.frames[0].bytes.begin(), cap.frames[0].bytes.begin() + static_cast<long>(cut));
        decode::PacketView v;
        decode::decode_packet(cap.link, b.data(), static_cast<uint32_t>(b.size()), cap.frames[0].wirelen, 0, v);
        TcpSig t;
        (void)compute_tcp_sig(v, t);
    }
}
