#include <catch2/catch.hpp>

#include "detect_harness.hpp"

using namespace nms;
using namespace nms::test;
using detect::AlertKind;

namespace {
devices::DeviceEvent event(const char* mac, const char* addr, bool local, bool discovered) {
    devices::DeviceEvent ev;
    ev.ts = sec(100);
    ev.discovered = discovered;
    ev.device.mac = mac;
    ev.device.local = local;
    ev.device.vendor = "Raspberry Pi Trading Ltd";
    ev.device.ips.push_back(ip(addr));
    ev.device.first_ns = sec(100);
    return ev;
}
}  // namespace

TEST_CASE("new device: an info alert for a local device seen the first time", "[detect][device]") {
    auto cfg = default_detect();
    cfg.new_device.allowlist_macs = {"02:00:00:00:00:99"};
    DetectHarness h(cfg, 1);
    h.advance(sec(99));
    h.engine().on_device_event(event("b8:27:eb:01:02:03", "10.0.0.42", true, true));
    h.engine().on_device_event(event("", "8.8.8.8", false, true));                     // remote: no
    h.engine().on_device_event(event("b8:27:eb:01:02:04", "10.0.0.43", true, false));  // a change: no
    h.engine().on_device_event(event("02:00:00:00:00:99", "10.0.0.44", true, true));   // allowlisted MAC
    h.tick(true);
    const auto a = h.opened(AlertKind::kNewDevice);
    REQUIRE(a.size() == 1);
    CHECK(a[0].severity == detect::Severity::kInfo);
    CHECK(a[0].src == ip("10.0.0.42"));
    CHECK(a[0].src_mac == "b8:27:eb:01:02:03");
    CHECK(a[0].explanation.text.find("Raspberry Pi") != std::string::npos);
}
