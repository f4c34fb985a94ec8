#include <catch2/catch.hpp>

#include "detect_harness.hpp"

using namespace nms;
using namespace nms::test;
using detect::AlertKind;

TEST_CASE("horizontal scan: one port on many hosts, most not answering", "[detect][scan]") {
    DetectHarness h(default_detect(), 3);
    // A worm-like sweep of port 445 across 10.1.0.0/16: 400 hosts in 8 s, 5 answer.
    for (uint32_t i = 0; i < 400; ++i) {
        const auto dst = IpAddr::from_v4(0x0a010000u + i * 97).to_string();
        const TimestampNs t = sec(50 + i / 50.0);
        h.tcp("10.0.0.66", static_cast<uint16_t>(41000 + i), dst.c_str(), 445, 0x02, t);
        if (i % 80 == 0) h.tcp(dst.c_str(), 445, "10.0.0.66", static_cast<uint16_t>(41000 + i), 0x12, t + 1000);
    }
    h.tick(true);
    const auto a = h.final_state(AlertKind::kPortScanHorizontal);  // one per episode, as it ended
    REQUIRE(a.size() == 1);
    CHECK(a[0].src == ip("10.0.0.66"));
    CHECK(a[0].victim_count >= 340);
    CHECK(a[0].victim_count <= 460);
    CHECK(a[0].top_peers.size() == 10);
    CHECK(a[0].explanation.metric == "distinct_dst_hosts");
}

TEST_CASE("horizontal scan: quiet for a busy client whose servers answer", "[detect][scan]") {
    DetectHarness h(default_detect(), 3);
    // Browsing: 150 distinct web servers on 443 within a minute, every one answers.
    for (uint32_t i = 0; i < 150; ++i) {
        const auto dst = IpAddr::from_v4(0x5db80000u + i * 131).to_string();
        const TimestampNs t = sec(10 + i * 0.3);
        const auto sport = static_cast<uint16_t>(50000 + i);
        h.tcp("10.0.0.7", sport, dst.c_str(), 443, 0x02, t);
        h.tcp(dst.c_str(), 443, "10.0.0.7", sport, 0x12, t + 20000000);
        h.tcp("10.0.0.7", sport, dst.c_str(), 443, 0x10, t + 21000000);
    }
    h.tick(true);
    CHECK(h.opened(AlertKind::kPortScanHorizontal).empty());
}
