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
    std::string msg("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x05" "ab\xe4g\xff\x03" "com\x00\x00\x01\x00\x01", 29);
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
    const std::string self("\0\0\0\0\0\0\0\0\0\0\0\0\xc0\x0c", 14);
    CHECK(dns::read_name(bv(self), 12, n, next) == dns::NameStatus::kBadPointer);
    // Two labels pointing at each other: 12 -> "a" + ptr 16; 16 -> "b" + ptr 12.
    const std::string loop("\0\0\0\0\0\0\0\0\0\0\0\0\x01" "a\xc0\x10\x01" "b\xc0\x0c", 20);
    CHECK(dns::read_name(bv(loop), 12, n, next) == dns::NameStatus::kBadPointer);
    CHECK(dns::read_name(bv(loop), 16, n, next) == dns::NameStatus::kBadPointer);
    // Forward pointer.
    const std::string fwd("\0\0\0\0\0\0\0\0\0\0\0\0\xc0\x0e\x00", 15);
    CHECK(dns::read_name(bv(fwd), 12, n, next) == dns::NameStatus::kBadPointer);
    // Backward chain is fine.
    const std::string ok("\0\0\0\0\0\0\0\0\0\0\0\0\x03" "com\x00\x03" "www\xc0\x0c", 23);
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
    const std::string ext("\0\0\0\0\0\0\0\0\0\0\0\0\x41\x00", 14);
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
    std::string msg("\xab\xcd\x81\x80\x00\x01\xff\xff\x00\x00\x00\x00\x01" "a\x00\x00\x01\x00\x01", 19);
    for (int i = 0; i < 40; ++i) msg += std::string("\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x10\x00\x04\x01\x02\x03\x04", 16);
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
    const Run junk = run_flow({{std::string_view("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d", 13), true, 0}},
                              8853);
    CHECK(junk.app != "dns");
}
