#include <catch2/catch.hpp>

#include "dpi/dissectors/dns_parse.hpp"
#include "udp_fixtures.hpp"
#include "udp_test_util.hpp"

using namespace nms;
using namespace nms::dpi;
using namespace nms::dpi::test;

namespace {
ByteView bv(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }
}  // namespace

TEST_CASE("DNS query and response from a real capture: Suricata v2 events with latency", "[dpi][dns]") {
    const Run r = run_flow({{kDnsQuery, true, 1'000'000}, {kDnsResponse, false, 42'124'000}}, 53);
    CHECK(r.app == "dns");
    REQUIRE(r.events.size() == 2);
    auto q = parse_json(r.events[0]);
    REQUIRE_FALSE(q.HasParseError());
    CHECK(std::string(q["type"].GetString()) == "query");
    CHECK(q["id"].GetUint() == 0xfba6);
    CHECK(std::string(q["rrname"].GetString()) == "captive.apple.com");
    CHECK(std::string(q["rrtype"].GetString()) == "A");
    CHECK(q["tx_id"].GetUint() == 0);
    auto a = parse_json(r.events[1]);
    REQUIRE_FALSE(a.HasParseError());
    CHECK(std::string(a["type"].GetString()) == "answer");
    CHECK(std::string(a["flags"].GetString()) == "8180");
    CHECK(a["qr"].GetBool());
    CHECK(a["rd"].GetBool());
    CHECK(a["ra"].GetBool());
    CHECK(std::string(a["rcode"].GetString()) == "NOERROR");
    CHECK(std::string(a["rrname"].GetString()) == "captive.apple.com");
    CHECK(a["latency_us"].GetUint() == 41124);
    const auto& ans = a["answers"];
    REQUIRE(ans.Size() == 5);
    CHECK(std::string(ans[0]["rrtype"].GetString()) == "CNAME");
    CHECK(std::string(ans[0]["rdata"].GetString()) == "captive-cidr.origin-apple.com.akadns.net");
    CHECK(std::string(ans[2]["rdata"].GetString()) == "captive.g.aaplimg.com");
    CHECK(std::string(ans[3]["rrname"].GetString()) == "captive.g.aaplimg.com");
    CHECK(std::string(ans[3]["rdata"].GetString()) == "17.253.53.201");
    CHECK(ans[3]["ttl"].GetUint() == 19);
}

TEST_CASE("DNS names: control bytes escaped like tshark, invalid UTF-8 replaced", "[dpi][dns]") {
    const Run r = run_flow({{kDnsInvalidChars, false, 0}}, 53);
    REQUIRE(r.events.size() == 1);
    auto a = parse_json(r.events[0]);
    REQUIRE_FALSE(a.HasParseError());
    CHECK(std::string(a["rrname"].GetString()) == "www.allyourbasesare\\001\\002\\003ongto.cn");
    // A label with bytes that are not UTF-8: the JSON stays valid.
    std::string msg = lit("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x05" "ab\xe4g\xff\x03" "com\x00\x00\x01\x00\x01");
    const Run r2 = run_flow({{msg, true, 0}}, 53);
    REQUIRE(r2.events.size() == 1);
    auto q = parse_json(r2.events[0]);
    REQUIRE_FALSE(q.HasParseError());
    CHECK(std::string(q["rrname"].GetString()) == "ab\xef\xbf\xbdg\xef\xbf\xbd.com");
}

TEST_CASE("DNS name decompression terminates on loops and rejects forward pointers", "[dpi][dns]") {
    dns::Name n;
    size_t next = 0;
    // Self pointer at 12.
    const std::string self = lit("\0\0\0\0\0\0\0\0\0\0\0\0\xc0\x0c");
    CHECK(dns::read_name(bv(self), 12, n, next) == dns::NameStatus::kBadPointer);
    // Two labels pointing at each other: 12 -> "a" + ptr 16; 16 -> "b" + ptr 12.
    const std::string loop = lit("\0\0\0\0\0\0\0\0\0\0\0\0\x01" "a\xc0\x10\x01" "b\xc0\x0c");
    CHECK(dns::read_name(bv(loop), 12, n, next) == dns::NameStatus::kBadPointer);
    CHECK(dns::read_name(bv(loop), 16, n, next) == dns::NameStatus::kBadPointer);
    // Forward pointer.
    const std::string fwd = lit("\0\0\0\0\0\0\0\0\0\0\0\0\xc0\x0e\x00");
    CHECK(dns::read_name(bv(fwd), 12, n, next) == dns::NameStatus::kBadPointer);
    // Backward chain is fine.
    const std::string ok = lit("\0\0\0\0\0\0\0\0\0\0\0\0\x03" "com\x00\x03" "www\xc0\x0c");
    REQUIRE(dns::read_name(bv(ok), 17, n, next) == dns::NameStatus::kOk);
    CHECK(n.str() == "www.com");
    CHECK(next == 23);
    // Over 255 bytes: kept truncated and flagged.
    std::string longname(12, '\0');
    for (int i = 0; i < 6; ++i) longname += std::string(1, '\x3f') + std::string(63, 'x');
    longname += '\0';
    REQUIRE(dns::read_name(bv(longname), 12, n, next) == dns::NameStatus::kTooLong);
    CHECK(n.len <= dns::kMaxNameBytes);
    // Reserved label types.
    const std::string ext = lit("\0\0\0\0\0\0\0\0\0\0\0\0\x41\x00");
    CHECK(dns::read_name(bv(ext), 12, n, next) == dns::NameStatus::kBadLabel);
}

TEST_CASE("DNS fixtures: every truncation parses without over-reading", "[dpi][dns]") {
    for (std::string_view fx : {kDnsQuery, kDnsResponse, kDnsInvalidChars, kMdnsQuery, kNbnsResponse}) {
        for (size_t n = 0; n <= fx.size(); ++n) {
            // A heap copy of exactly n bytes, so ASan sees any read past it.
            std::vector<uint8_t> buf(fx.begin(), fx.begin() + static_cast<std::ptrdiff_t>(n));
            const std::string_view cut(reinterpret_cast<const char*>(buf.data()), buf.size());
            (void)dns::looks_like_dns({buf.data(), buf.size()}, false);
            (void)dns::looks_like_dns({buf.data(), buf.size()}, true);
            const Run r = run_flow({{cut, true, 0}, {cut, false, 5}}, 53);
            for (const auto& e : r.events) CHECK_FALSE(parse_json(e).HasParseError());
        }
    }
}

TEST_CASE("DNS answer with hostile counts is bounded", "[dpi][dns]") {
    // 0xffff answers claimed, 40 present, all pointing back at the question.
    std::string msg = lit("\xab\xcd\x81\x80\x00\x01\xff\xff\x00\x00\x00\x00\x01" "a\x00\x00\x01\x00\x01");
    for (int i = 0; i < 40; ++i) msg += lit("\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x10\x00\x04\x01\x02\x03\x04");
    const Run r = run_flow({{kDnsQuery, true, 0}, {msg, false, 1}}, 53);  // detection needs sane counts
    REQUIRE(r.events.size() == 2);
    auto a = parse_json(r.events[1]);
    REQUIRE_FALSE(a.HasParseError());
    CHECK(a["answers"].Size() == 16);
}

TEST_CASE("DNS over TCP: length framing across segments and several messages per segment", "[dpi][dns]") {
    std::string framed;
    for (std::string_view m : {kDnsQuery, kDnsQuery}) {
        framed += static_cast<char>(m.size() >> 8);
        framed += static_cast<char>(m.size() & 0xff);
        framed += m;
    }
    // Split at awkward places: inside the length prefix and inside the second message.
    const std::string a = framed.substr(0, 1), b = framed.substr(1, 40), c = framed.substr(41);
    std::string resp;
    resp += static_cast<char>(kDnsResponse.size() >> 8);
    resp += static_cast<char>(kDnsResponse.size() & 0xff);
    resp += kDnsResponse;
    const Run r = run_flow({{a, true, 1000, 1},
                            {b, true, 2000, 2},
                            {c, true, 3000, 42},
                            {resp, false, 9000, 1}},
                           53, true);
    CHECK(r.app == "dns");
    REQUIRE(r.events.size() == 3);
    CHECK(std::string(parse_json(r.events[0])["rrname"].GetString()) == "captive.apple.com");
    CHECK(std::string(parse_json(r.events[1])["type"].GetString()) == "query");
    auto ans = parse_json(r.events[2]);
    CHECK(std::string(ans["type"].GetString()) == "answer");
    CHECK(ans.HasMember("latency_us"));
}

TEST_CASE("mDNS and LLMNR keep their own names; DNS on an odd port must look strict", "[dpi][dns]") {
    const Run m = run_flow({{kMdnsQuery, true, 0}}, 5353, false, 5353);
    CHECK(m.app == "mdns");
    REQUIRE(m.events.size() == 2);  // two questions, one event each
    CHECK(std::string(parse_json(m.events[0])["rrname"].GetString()) == "_ipp._tcp.local");
    CHECK(std::string(parse_json(m.events[1])["rrname"].GetString()) == "_ipps._tcp.local");
    const Run l = run_flow({{kDnsQuery, true, 0}}, 5355);
    CHECK(l.app == "llmnr");
    const Run odd = run_flow({{kDnsQuery, true, 0}}, 8853, false, 40000);
    CHECK(odd.app == "dns");
    const Run junk = run_flow({{lit("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d"), true, 0}},
                              8853);
    CHECK(junk.app != "dns");
}

TEST_CASE("DNS over TCP: a message larger than the stream buffer is read from its start, then skipped",
          "[dpi][dns]") {
    std::string big(kDnsResponse);
    big.resize(5000, '\0');
    std::string stream;
    stream += static_cast<char>(big.size() >> 8);
    stream += static_cast<char>(big.size() & 0xff);
    stream += big;
    stream += static_cast<char>(0);
    stream += static_cast<char>(kDnsResponse.size());
    stream += kDnsResponse;
    std::vector<std::string> segs;
    for (size_t off = 0; off < stream.size(); off += 1000) segs.push_back(stream.substr(off, 1000));
    std::vector<Packet> pkts;
    // The query first (client side) so the flow is classified, then the server's stream.
    std::string q;
    q += static_cast<char>(0);
    q += static_cast<char>(kDnsQuery.size());
    q += kDnsQuery;
    pkts.push_back({q, true, 0, 1});
    uint32_t seq = 1;
    for (const auto& s : segs) {
        pkts.push_back({s, false, 1, seq});
        seq += static_cast<uint32_t>(s.size());
    }
    const Run r = run_flow(pkts, 53, true);
    REQUIRE(r.events.size() == 3);
    auto first = parse_json(r.events[1]);
    CHECK(first["answers"].Size() == 5);
    auto second = parse_json(r.events[2]);
    CHECK(std::string(second["type"].GetString()) == "answer");
    CHECK(std::string(second["rrname"].GetString()) == "captive.apple.com");
}

TEST_CASE("mDNS responses carry answers but no latency pairing", "[dpi][dns]") {
    // Response id 0, no question, one PTR answer (cache-flush class bit set).
    const std::string resp = lit("\x00\x00\x84\x00\x00\x00\x00\x01\x00\x00\x00\x00"
                           "\x04_ipp\x04_tcp\x05local\x00\x00\x0c\x80\x01\x00\x00\x11\x94\x00\x07\x04host\xc0\x0c");
    const Run r = run_flow({{kMdnsQuery, true, 0}, {resp, false, 1000}}, 5353, false, 5353);
    CHECK(r.app == "mdns");
    REQUIRE(r.events.size() == 3);
    auto a = parse_json(r.events[2]);
    REQUIRE_FALSE(a.HasParseError());
    CHECK_FALSE(a.HasMember("latency_us"));
    CHECK(a["aa"].GetBool());
    CHECK(std::string(a["answers"][0]["rrname"].GetString()) == "_ipp._tcp.local");
    CHECK(std::string(a["answers"][0]["rdata"].GetString()) == "host._ipp._tcp.local");
}

TEST_CASE("UDP-family dissectors survive mutated corpus frames", "[dpi][dns][fuzz]") {
    // Deterministic byte flips and length cuts of every fixture, on every port we claim.
    uint64_t x = 0x9e3779b97f4a7c15ull;
    const auto rnd = [&x] {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        return x;
    };
    const std::string_view fixtures[] = {kDnsQuery, kDnsResponse, kDnsInvalidChars, kMdnsQuery, kNbnsResponse,
                                         kNbdgm, kDhcpDiscover, kDhcpv6Solicit, kSsdpMsearch, kNtpV4,
                                         kSnmpGetNext, kSnmpResponse};
    const uint16_t ports[] = {53, 5353, 5355, 137, 138, 67, 547, 1900, 123, 161, 5060};
    for (int iter = 0; iter < 600; ++iter) {
        const std::string_view fx = fixtures[rnd() % std::size(fixtures)];
        std::string m(fx);
        const int flips = 1 + static_cast<int>(rnd() % 6);
        for (int i = 0; i < flips && !m.empty(); ++i) m[rnd() % m.size()] = static_cast<char>(rnd());
        m.resize(rnd() % (m.size() + 1));
        std::vector<uint8_t> heap(m.begin(), m.end());  // exact-size heap copy for ASan
        const std::string_view v(reinterpret_cast<const char*>(heap.data()), heap.size());
        const uint16_t port = ports[rnd() % std::size(ports)];
        // A clean frame first so the flow is classified, then the mutated one is inspected.
        const Run r = run_flow({{fx, true, 0}, {v, false, 1}, {v, true, 2}}, port, false, port);
        for (const auto& e : r.events) CHECK_FALSE(parse_json(e).HasParseError());
    }
}

TEST_CASE("mDNS and LLMNR: truncations, compression loops and non-UTF-8 names are safe", "[dpi][dns][mdns][llmnr]") {
    const std::string header = lit("\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00");
    const std::string loop = header + lit("\x01" "a\xc0\x0c\x00\x01\x00\x01");   // label, then a pointer to itself
    const std::string odd = header + lit("\x04" "ab\xff" "g\x05local\x00\x00\x01\x00\x01");
    for (const uint16_t port : {uint16_t{5353}, uint16_t{5355}}) {
        const std::string_view fixtures[] = {kMdnsQuery, loop, odd};
        for (std::string_view fx : fixtures) {
            for (size_t n = 0; n <= fx.size(); ++n) {
                std::vector<uint8_t> buf(fx.begin(), fx.begin() + static_cast<std::ptrdiff_t>(n));
                const std::string_view cut(reinterpret_cast<const char*>(buf.data()), buf.size());
                for (const auto& e : run_flow({{cut, true, 0}}, port, false, port).events)
                    CHECK_FALSE(parse_json(e).HasParseError());
            }
        }
        for (const auto& e : run_flow({{loop, true, 0}}, port, false, port).events) {
            auto d = parse_json(e);
            REQUIRE_FALSE(d.HasParseError());
            CHECK(std::string(d["rrname"].GetString()).size() < 64);   // the loop is not followed
        }
        const Run r = run_flow({{odd, true, 0}}, port, false, port);
        REQUIRE(r.events.size() == 1);
        CHECK(std::string(parse_json(r.events[0])["rrname"].GetString()) == "ab\xef\xbf\xbdg.local");
    }
}
