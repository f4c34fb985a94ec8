#include <catch2/catch.hpp>

#include "detect_harness.hpp"

using namespace nms;
using namespace nms::test;
using detect::AlertKind;

namespace {

config::DetectConfig spike_config() {
    auto cfg = default_detect();
    cfg.traffic_spike.warmup_s = 60;
    cfg.traffic_spike.min_host_mbps = 5;
    cfg.traffic_spike.min_global_mbps = 5;
    cfg.traffic_spike.window_s = 6;
    return cfg;
}

// `mbps` from a to b during second s (1400-byte segments, a little jitter by second).
void second_of(DetectHarness& h, const char* a, const char* b, double mbps, int s) {
    const double jitter = 1.0 + 0.1 * ((s * 7919) % 11 - 5) / 5.0;
    const int n = static_cast<int>(mbps * jitter * 1e6 / 8 / 1454);
    for (int i = 0; i < n; ++i) h.tcp(a, 45000, b, 443, 0x10, sec(s + static_cast<double>(i) / (n + 1)), 1400);
}

}  // namespace

TEST_CASE("traffic spike: a host 20 times above its baseline", "[detect][volume]") {
    DetectHarness h(spike_config(), 2);
    for (int s = 1000; s < 1180; ++s) second_of(h, "10.0.0.7", "203.0.113.5", 2, s);  // 3 minutes at ~2 Mbit/s
    for (int s = 1180; s < 1190; ++s) second_of(h, "10.0.0.7", "203.0.113.5", 40, s);
    h.tick(true);
    const auto a = h.final_state(AlertKind::kTrafficSpike);  // one per episode, as it ended
    REQUIRE_FALSE(a.empty());
    bool host = false, global = false;
    for (const auto& al : a) {
        if (al.has_src && al.src == ip("10.0.0.7")) {
            host = true;
            CHECK(al.explanation.zscore >= 6);
            CHECK(al.explanation.baseline > 1e6);
            CHECK(al.explanation.baseline < 4e6);
            CHECK(al.explanation.value > 10e6);
        }
        if (!al.has_src) global = true;
    }
    CHECK(host);
    CHECK(global);
}

TEST_CASE("traffic spike: quiet for steady traffic, before warm-up and for small hosts", "[detect][volume]") {
    DetectHarness h(spike_config(), 2);
    for (int s = 1000; s < 1300; ++s) second_of(h, "10.0.0.7", "203.0.113.5", 20, s);  // steady with jitter
    // A newcomer bursting with no history yet (a 30 % rise of the total), and a tiny host
    // jumping 10x but staying under the floor.
    for (int s = 1290; s < 1300; ++s) second_of(h, "10.0.0.8", "203.0.113.60", 6, s);
    for (int s = 1000; s < 1300; ++s) second_of(h, "10.0.0.9", "203.0.113.61", s < 1290 ? 0.1 : 1, s);
    h.tick(true);
    for (const auto& a : h.opened(AlertKind::kTrafficSpike)) {
        INFO(a.explanation.text);
        CHECK(false);
    }
}

TEST_CASE("traffic spike baselines survive a save/load round trip", "[detect][volume]") {
    DetectHarness h(spike_config(), 1);
    for (int s = 1000; s < 1100; ++s) second_of(h, "10.0.0.7", "203.0.113.5", 2, s);
    h.tick(true);
    const auto saved = h.engine().save_state();
    REQUIRE(saved.size() == 1);
    CHECK(saved[0].first == AlertKind::kTrafficSpike);
    CHECK(saved[0].second.find("10.0.0.7") != std::string::npos);

    // A restarted engine with the loaded baselines alerts at once, without a new warm-up.
    DetectHarness fresh(spike_config(), 1);
    fresh.engine().load_state(AlertKind::kTrafficSpike, saved[0].second);
    for (int s = 1100; s < 1110; ++s) second_of(fresh, "10.0.0.7", "203.0.113.5", 40, s);
    fresh.tick(true);
    CHECK_FALSE(fresh.opened(AlertKind::kTrafficSpike).empty());
    CHECK_FALSE(fresh.engine().save_state().empty());
    DetectHarness other(spike_config(), 1);
    other.engine().load_state(AlertKind::kTrafficSpike, "garbage\nb 1 2");
    for (int s = 1100; s < 1110; ++s) second_of(other, "10.0.0.7", "203.0.113.5", 40, s);
    other.tick(true);
    CHECK(other.opened(AlertKind::kTrafficSpike).empty());  // no baseline: no alert during warm-up
}

TEST_CASE("traffic spike: loaded baselines are bounded by max_hosts", "[detect][volume]") {
    std::string text = "netmonsec-traffic-spike 1\nb * 1000 10 100\n";
    for (int i = 0; i < 50; ++i) {
        const std::string host = "10.1.0." + std::to_string(i);
        text += "b " + host + " 2000000 1000 700\n";
        text += "w " + host + " 5 2000000 1000 700\n";
    }
    auto cfg = spike_config();
    cfg.traffic_spike.max_hosts = 8;
    DetectHarness h(cfg, 1);
    h.engine().load_state(AlertKind::kTrafficSpike, text);
    const auto saved = h.engine().save_state();
    REQUIRE(saved.size() == 1);
    size_t hosts = 0, hours = 0;
    for (size_t at = 0; (at = saved[0].second.find('\n', at)) != std::string::npos; ++at) {
        hosts += saved[0].second.compare(at + 1, 4, "b 10") == 0;
        hours += saved[0].second.compare(at + 1, 4, "w 10") == 0;
    }
    CHECK(hosts == 8);
    CHECK(hours == 8);  // hour-of-week slots only for the hosts kept
}
