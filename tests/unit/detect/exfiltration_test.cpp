#include <catch2/catch.hpp>

#include "detect_harness.hpp"

using namespace nms;
using namespace nms::test;
using detect::AlertKind;

namespace {
// `mb` megabytes from a to b in 1400-byte segments over `seconds`, starting at `t0`.
void upload(DetectHarness& h, const char* a, const char* b, double mb, double t0, double seconds) {
    const int n = static_cast<int>(mb * 1e6 / 1454);  // 1400 payload + 54 header bytes on the wire
    for (int i = 0; i < n; ++i) {
        const TimestampNs t = sec(t0 + seconds * i / n);
        h.tcp(a, 45000, b, 443, 0x10, t, 1400);
        if (i % 8 == 0) h.tcp(b, 443, a, 45000, 0x10, t + 1000);
    }
}
}  // namespace

TEST_CASE("exfiltration: an internal host uploading to one external host", "[detect][volume]") {
    auto cfg = default_detect();
    cfg.exfiltration.min_mb = 20;
    DetectHarness h(cfg, 2);
    upload(h, "10.0.0.7", "203.0.113.200", 30, 100, 60);
    h.tick(true);
    const auto a = h.final_state(AlertKind::kExfiltration);  // one per episode, as it ended
    REQUIRE(a.size() == 1);
    CHECK(a[0].src == ip("10.0.0.7"));
    CHECK(a[0].victim == ip("203.0.113.200"));
    CHECK(a[0].explanation.value >= 20e6);
    CHECK(a[0].explanation.threshold == 20e6);
    CHECK(a[0].explanation.window_s == 600);
}

TEST_CASE("exfiltration: quiet for downloads, internal copies and small uploads", "[detect][volume]") {
    auto cfg = default_detect();
    cfg.exfiltration.min_mb = 20;
    DetectHarness h(cfg, 2);
    upload(h, "203.0.113.200", "10.0.0.7", 40, 100, 60);   // a download
    upload(h, "10.0.0.7", "10.0.0.8", 40, 100, 60);        // internal backup
    upload(h, "10.0.0.9", "203.0.113.201", 10, 100, 60);   // under the threshold
    h.tick(true);
    CHECK(h.opened(AlertKind::kExfiltration).empty());
}
