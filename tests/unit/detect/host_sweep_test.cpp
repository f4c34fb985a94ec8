#include <catch2/catch.hpp>

#include "detect_harness.hpp"

using namespace nms;
using namespace nms::test;
using detect::AlertKind;

TEST_CASE("host sweep: ICMP echo to every address of a /24", "[detect][scan]") {
    DetectHarness h(default_detect(), 2);
    for (uint32_t i = 1; i < 255; ++i) {
        const auto dst = "10.2.0." + std::to_string(i);
        const TimestampNs t = sec(30 + i / 100.0);
        h.icmp("10.0.0.66", dst.c_str(), 8, 0x1234, static_cast<uint16_t>(i), t);
        if (i % 50 == 0) h.icmp(dst.c_str(), "10.0.0.66", 0, 0x1234, static_cast<uint16_t>(i), t + 1000);
    }
    h.tick(true);
    const auto a = h.final_state(AlertKind::kHostSweep);  // one per episode, as it ended
    REQUIRE(a.size() == 1);
    CHECK(a[0].src == ip("10.0.0.66"));
    CHECK(a[0].victim_count >= 220);
    CHECK(a[0].explanation.threshold == 32);
    bool has_network = false;
    for (const auto& e : a[0].evidence)
        if (e.key == "network") has_network = std::get<std::string>(e.value) == "10.2.0.0/24";
    CHECK(has_network);
}

TEST_CASE("host sweep: quiet for repeated pings of a few hosts", "[detect][scan]") {
    DetectHarness h(default_detect(), 2);
    for (int s = 0; s < 120; ++s)
        for (int host = 1; host <= 5; ++host) {
            const auto dst = "10.2.0." + std::to_string(host);
            h.icmp("10.0.0.9", dst.c_str(), 8, static_cast<uint16_t>(host), static_cast<uint16_t>(s), sec(s));
            h.icmp(dst.c_str(), "10.0.0.9", 0, static_cast<uint16_t>(host), static_cast<uint16_t>(s), sec(s) + 500000);
        }
    h.tick(true);
    CHECK(h.opened(AlertKind::kHostSweep).empty());
}
