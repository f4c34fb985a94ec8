#include <catch2/catch.hpp>

#include "detect_harness.hpp"

using namespace nms;
using namespace nms::test;
using detect::AlertKind;

TEST_CASE("SYN flood from random sources is keyed by the victim, with bounded memory", "[detect][flood]") {
    auto cfg = default_detect();
    cfg.max_keys = 1024;
    DetectHarness h(cfg, 2);
    // hping3 -S --flood --rand-source: 3000 SYN/s for 10 s, every one from a new address.
    uint32_t n = 0;
    for (int s = 0; s < 10; ++s)
        for (int i = 0; i < 3000; ++i, ++n)
            h.tcp(IpAddr::from_v4(0x2d000000u + n * 7919).to_string().c_str(), static_cast<uint16_t>(1024 + i),
                  "10.0.0.80", 80, 0x02, sec(200 + s + i / 3000.0));
    h.tick(true);
    const auto a = h.final_state(AlertKind::kSynFlood);  // one per episode, as it ended
    REQUIRE(a.size() == 1);
    CHECK(a[0].has_victim);
    CHECK(a[0].victim == ip("10.0.0.80"));
    CHECK_FALSE(a[0].has_src);  // no source dominates
    CHECK(a[0].explanation.value >= 2000);  // 30000 SYNs over the 12 s window (10 s in 6 slices of 2 s)
    CHECK(a[0].explanation.metric == "syn_per_s");
    // 30000 sources went through 1024-key tables: they evicted, they did not grow.
    CHECK(h.shard(0).counters().table_evictions > 0);
}

TEST_CASE("SYN flood from one source names it", "[detect][flood]") {
    DetectHarness h(default_detect(), 2);
    for (int i = 0; i < 8000; ++i)
        h.tcp("203.0.113.9", static_cast<uint16_t>(1024 + i), "10.0.0.80", 443, 0x02, sec(10 + i / 1000.0));
    h.tick(true);
    const auto a = h.final_state(AlertKind::kSynFlood);  // one per episode, as it ended
    REQUIRE(a.size() == 1);
    CHECK(a[0].has_src);
    CHECK(a[0].src == ip("203.0.113.9"));
    CHECK(a[0].victim == ip("10.0.0.80"));
}

TEST_CASE("SYN flood: quiet for a busy server completing its handshakes", "[detect][flood]") {
    DetectHarness h(default_detect(), 2);
    // 800 new connections per second for 10 s, each completed: rate above, ratio not.
    for (int i = 0; i < 8000; ++i) {
        const auto client = IpAddr::from_v4(0xc6336400u + static_cast<uint32_t>(i % 500)).to_string();
        const auto sport = static_cast<uint16_t>(20000 + i);
        const TimestampNs t = sec(10 + i / 800.0);
        h.tcp(client.c_str(), sport, "10.0.0.80", 443, 0x02, t);
        h.tcp("10.0.0.80", 443, client.c_str(), sport, 0x12, t + 100000);
        h.tcp(client.c_str(), sport, "10.0.0.80", 443, 0x10, t + 200000);
    }
    h.tick(true);
    CHECK(h.opened(AlertKind::kSynFlood).empty());
}
