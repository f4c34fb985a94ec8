#include <catch2/catch.hpp>

#include <algorithm>

#include "detector_harness.hpp"
#include "detect/detectors/detectors.hpp"

using namespace nms;
using namespace nms::detect;
using namespace nms::detect::test;

namespace {

const uint8_t kScannerMac[6] = {0x02, 0x00, 0x0a, 0x00, 0x00, 0x42};
const uint8_t kScannerIp[4] = {10, 0, 0, 66};
const uint8_t kZeroMac[6] = {};

// `mac`/`ip` asks who-has 10.0.<n / 250>.<n % 250 + 1> for n in [first, first + count), spread
// over the harness's workers and over `seconds` seconds.
void ask(Harness& h, const uint8_t* mac, const uint8_t* ip, uint32_t first, uint32_t count, const uint8_t* eth_dst,
         int seconds = 2) {
    for (uint32_t n = first; n < first + count; ++n) {
        const uint8_t target[4] = {10, 0, static_cast<uint8_t>(n / 250), static_cast<uint8_t>(n % 250 + 1)};
        const TimestampNs ts = kT0 + (n - first) * (kNsPerSec * static_cast<uint64_t>(seconds)) / count;
        const auto f = arp(1, mac, ip, kZeroMac, target, eth_dst, ts);
        h.packet(n % static_cast<uint32_t>(h.workers()), *f);
    }
}

config::DetectConfig defaults() { return config::DetectConfig{}; }

}  // namespace

TEST_CASE("arp_scan: one MAC asking for a /24 is a scan, named by MAC and IP", "[detect][arp_scan]") {
    Harness h(arp_scan_detector(), defaults());
    ask(h, kScannerMac, kScannerIp, 0, 254, gen::kBroadcastMac);
    const auto alerts = h.end_seconds(second_of(kT0), second_of(kT0) + 2);
    REQUIRE_FALSE(alerts.empty());
    const AlertCandidate& c = alerts.back();
    CHECK(c.has_src);
    CHECK(c.src == IpAddr::from_v4(kScannerIp));
    CHECK(c.src_mac == "02:00:0a:00:00:42");
    CHECK(c.explanation.metric == "distinct_target_ips");
    CHECK(c.explanation.value == Approx(254).epsilon(0.1));
    CHECK(c.explanation.threshold == 40);
    CHECK(c.explanation.window_s == 60);
    CHECK_FALSE(c.explanation.text.empty());
    CHECK(c.top_peers.size() == 8);
    const std::string samples = evidence_text(c, "sample_targets");
    CHECK(std::count(samples.begin(), samples.end(), '\n') == 8);
    CHECK(samples.rfind("10.0.", 0) == 0);
}

TEST_CASE("arp_scan: below the threshold, and benign ARP, stay quiet", "[detect][arp_scan]") {
    Harness h(arp_scan_detector(), defaults());
    // 30 targets: a host after boot, a printer discovery.
    ask(h, kScannerMac, kScannerIp, 0, 30, gen::kBroadcastMac);
    // A router refreshing 200 known neighbours: unicast requests to their MACs.
    const uint8_t router_mac[6] = {0x02, 0, 0, 0, 0, 1}, router_ip[4] = {10, 0, 0, 1};
    const uint8_t neighbour_mac[6] = {0x02, 0, 0, 0, 0, 9};
    ask(h, router_mac, router_ip, 0, 200, neighbour_mac);
    // Many hosts asking for the gateway (fan-in), and gratuitous announcements.
    for (uint8_t i = 10; i < 250; ++i) {
        const uint8_t mac[6] = {0x02, 0, 0, 0, 1, i}, ip[4] = {10, 0, 0, i};
        h.packet(i % 2, *arp(1, mac, ip, kZeroMac, router_ip, gen::kBroadcastMac, kT0 + i * kNsPerMs));
        h.packet(i % 2, *arp(1, mac, ip, kZeroMac, ip, gen::kBroadcastMac, kT0 + i * kNsPerMs));
    }
    CHECK(h.end_seconds(second_of(kT0), second_of(kT0) + 5).empty());
}

TEST_CASE("arp_scan: a slow scan is judged over the window, and the threshold is live", "[detect][arp_scan]") {
    auto cfg = defaults();
    Harness h(arp_scan_detector(), cfg);
    // 50 targets over 40 s: inside one 60 s window.
    ask(h, kScannerMac, kScannerIp, 0, 50, gen::kBroadcastMac, 40);
    CHECK_FALSE(h.end_seconds(second_of(kT0), second_of(kT0) + 41).empty());
    cfg.arp_scan.min_targets = 100;
    h.global().configure(cfg);
    CHECK(h.end_seconds(second_of(kT0) + 42, second_of(kT0) + 43).empty());
}
