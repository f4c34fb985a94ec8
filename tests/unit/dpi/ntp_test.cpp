#include <catch2/catch.hpp>

#include "udp_fixtures.hpp"
#include "udp_test_util.hpp"

using namespace nms::dpi;
using namespace nms::dpi::test;

TEST_CASE("NTPv4 from a real capture", "[dpi][ntp]") {
    const Run r = run_flow({{kNtpV4, true, 0}}, 123, false, 123);
    CHECK(r.app == "ntp");
    REQUIRE(r.events.size() == 1);
    auto e = parse_json(r.events[0]);
    CHECK(e["version"].GetUint() == 4);
    CHECK(std::string(e["mode"].GetString()) == "client");
    CHECK(e["stratum"].GetUint() == 2);
    CHECK(std::string(e["reference_id"].GetString()) == "131.188.3.223");
    for (size_t n = 0; n <= kNtpV4.size(); ++n) {
        const std::vector<char> buf(kNtpV4.begin(), kNtpV4.begin() + static_cast<std::ptrdiff_t>(n));
        const Run t = run_flow({{std::string_view(buf.data(), buf.size()), true, 0}}, 123, false, 123);
        CHECK(t.events.size() == (n >= 48 ? 1u : 0u));
    }
}

TEST_CASE("NTP hostile headers: bad version, mode or stratum give no event; control messages are short",
          "[dpi][ntp]") {
    std::string bad_version(kNtpV4);
    bad_version[0] = static_cast<char>((bad_version[0] & 0xc7) | (7 << 3));  // version 7
    CHECK(run_flow({{bad_version, true, 0}}, 123, false, 123).events.empty());
    std::string mode0(kNtpV4);
    mode0[0] = static_cast<char>(mode0[0] & 0xf8);
    CHECK(run_flow({{mode0, true, 0}}, 123, false, 123).events.empty());
    std::string stratum(kNtpV4);
    stratum[1] = static_cast<char>(200);   // > 16: not a stratum
    CHECK(run_flow({{stratum, true, 0}}, 123, false, 123).events.empty());
    // Mode 7 (private) needs no 48-byte header: an event without the header fields.
    const std::string priv = lit("\x27\x00\x03\x2a\x00\x00\x00\x00\x00\x00\x00\x00");
    const Run p = run_flow({{priv, true, 0}}, 123, false, 123);
    REQUIRE(p.events.size() == 1);
    auto e = parse_json(p.events[0]);
    CHECK(std::string(e["mode"].GetString()) == "private");
    CHECK_FALSE(e.HasMember("stratum"));
    // A valid header followed by a kilobyte of garbage (extension fields that lie).
    const std::string big = std::string(kNtpV4) + std::string(1024, '\xff');
    const Run b = run_flow({{big, true, 0}}, 123, false, 123);
    REQUIRE(b.events.size() == 1);
    CHECK_FALSE(parse_json(b.events[0]).HasParseError());
}
