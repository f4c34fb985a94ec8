#include <catch2/catch.hpp>

#include "detect_harness.hpp"

using namespace nms;
using namespace nms::test;
using detect::AlertKind;

namespace {
constexpr uint8_t kSyn = 0x02, kSynAck = 0x12, kRstAck = 0x14, kAck = 0x10;
}

TEST_CASE("vertical scan: one source, many closed ports of one host, seen across workers", "[detect][scan]") {
    DetectHarness h(default_detect(), /*workers*/ 4);
    // nmap -sS: 300 ports in 3 s; closed ports answer RST, two open ones SYN+ACK.
    for (uint16_t p = 1; p <= 300; ++p) {
        const TimestampNs t = sec(100 + p / 100.0);
        h.tcp("10.0.0.66", 40000, "10.0.0.5", p, kSyn, t);
        h.tcp("10.0.0.5", p, "10.0.0.66", 40000, (p == 22 || p == 80) ? kSynAck : kRstAck, t + 1000);
    }
    h.tick(true);
    const auto a = h.final_state(AlertKind::kPortScanVertical);  // one per episode, as it ended
    REQUIRE(a.size() == 1);
    CHECK(a[0].src == ip("10.0.0.66"));
    CHECK(a[0].victim == ip("10.0.0.5"));
    CHECK(a[0].severity == detect::Severity::kMedium);
    // The ports were spread over 4 workers; the merged sketch counts them once.
    CHECK(a[0].explanation.value >= 250);
    CHECK(a[0].explanation.value <= 350);
    CHECK(a[0].explanation.threshold == 100);
    CHECK(a[0].explanation.window_s == 60);
    CHECK_FALSE(a[0].explanation.text.empty());
    CHECK(a[0].top_peers.at(0).ip == ip("10.0.0.5"));
    CHECK_FALSE(a[0].evidence.empty());
}

TEST_CASE("vertical scan: quiet for answered connections and under the threshold", "[detect][scan]") {
    DetectHarness h(default_detect());
    // Passive-mode FTP style: 150 data connections to distinct ports, all accepted.
    for (uint16_t i = 0; i < 150; ++i) {
        const TimestampNs t = sec(10 + i * 0.2);
        const uint16_t port = static_cast<uint16_t>(30000 + i);
        h.tcp("10.0.0.7", static_cast<uint16_t>(50000 + i), "10.0.0.5", port, kSyn, t);
        h.tcp("10.0.0.5", port, "10.0.0.7", static_cast<uint16_t>(50000 + i), kSynAck, t + 1000);
        h.tcp("10.0.0.7", static_cast<uint16_t>(50000 + i), "10.0.0.5", port, kAck, t + 2000);
    }
    // A small unanswered probe of 60 ports: below min_ports = 100.
    for (uint16_t p = 1; p <= 60; ++p) h.tcp("10.0.0.9", 40000, "10.0.0.5", p, kSyn, sec(20 + p / 10.0));
    h.tick(true);
    CHECK(h.opened(AlertKind::kPortScanVertical).empty());
}

TEST_CASE("vertical scan: thresholds and allowlists reload at the next tick", "[detect][scan]") {
    auto cfg = default_detect();
    cfg.port_scan_vertical.allowlist = {"10.0.0.64/28"};
    DetectHarness h(cfg);
    for (uint16_t p = 1; p <= 200; ++p) h.tcp("10.0.0.66", 40000, "10.0.0.5", p, kSyn, sec(100 + p / 100.0));
    h.advance(sec(106));
    h.tick();
    CHECK(h.opened(AlertKind::kPortScanVertical).empty());  // allowlisted source
    CHECK(h.engine().counters().allowlisted > 0);
    cfg.port_scan_vertical.allowlist.clear();
    cfg.port_scan_vertical.min_ports = 500;
    h.engine().reload(cfg);
    for (uint16_t p = 201; p <= 400; ++p) h.tcp("10.0.0.66", 40000, "10.0.0.5", p, kSyn, sec(104 + p / 100.0));
    h.advance(sec(112));
    h.tick();
    CHECK(h.opened(AlertKind::kPortScanVertical).empty());  // 400 < 500
    cfg.port_scan_vertical.min_ports = 300;
    h.engine().reload(cfg);
    for (uint16_t p = 401; p <= 500; ++p) h.tcp("10.0.0.66", 40000, "10.0.0.5", p, kSyn, sec(110 + p / 100.0));
    h.tick(true);
    CHECK(h.opened(AlertKind::kPortScanVertical).size() == 1);
}
