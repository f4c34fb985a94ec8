#include <catch2/catch.hpp>

#include "detect_harness.hpp"

using namespace nms;
using namespace nms::test;
using detect::AlertKind;

TEST_CASE("ICMP flood: ping -f at one victim", "[detect][flood]") {
    DetectHarness h(default_detect(), 2);
    for (int i = 0; i < 12000; ++i) {
        const TimestampNs t = sec(5 + i / 1000.0);
        h.icmp("10.0.0.66", "10.0.0.5", 8, 77, static_cast<uint16_t>(i), t);
        h.icmp("10.0.0.5", "10.0.0.66", 0, 77, static_cast<uint16_t>(i), t + 10000);
    }
    h.tick(true);
    const auto a = h.final_state(AlertKind::kIcmpFlood);  // one per episode, as it ended
    REQUIRE(a.size() == 1);
    CHECK(a[0].src == ip("10.0.0.66"));
    CHECK(a[0].victim == ip("10.0.0.5"));
    CHECK(a[0].explanation.value >= 900);
    CHECK(a[0].severity == detect::Severity::kHigh);
}

TEST_CASE("ICMP flood: quiet for ordinary pings and monitoring", "[detect][flood]") {
    DetectHarness h(default_detect(), 2);
    for (int s = 0; s < 60; ++s)
        for (int host = 0; host < 50; ++host) {  // a monitor pinging 50 hosts every second
            const auto dst = IpAddr::from_v4(0x0a000100u + static_cast<uint32_t>(host)).to_string();
            h.icmp("10.0.0.2", dst.c_str(), 8, static_cast<uint16_t>(host), static_cast<uint16_t>(s), sec(s));
            h.icmp(dst.c_str(), "10.0.0.2", 0, static_cast<uint16_t>(host), static_cast<uint16_t>(s), sec(s) + 1000);
        }
    h.tick(true);
    CHECK(h.opened(AlertKind::kIcmpFlood).empty());
}
