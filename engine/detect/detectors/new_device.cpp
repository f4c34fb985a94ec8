// new_device (info): the device inventory saw a local device for the first time. Works on
// the merged view alone (DeviceMerger's discovery events); remote hosts are tracked per IP
// by the inventory and are not "devices on the network", so they never alert.
#include <string>

#include "detect/detectors/detectors.hpp"
#include "devices/device_table.hpp"

namespace nms::detect {
namespace {

class Global final : public GlobalDetector {
 public:
    explicit Global(const DetectorSetup&) : GlobalDetector(AlertKind::kNewDevice) {}
    void configure(const config::DetectConfig& cfg) override { cfg_ = cfg.new_device; }
    [[nodiscard]] const config::DetectorCommon& common() const noexcept override { return cfg_; }

    void evaluate(const DetectView& view, TimestampNs now, AlertSink& sink) override {
        (void)now;
        for (const devices::DeviceEvent& ev : view.device_events) {
            const devices::Device& d = ev.device;
            if (!ev.discovered || !d.local) continue;
            AlertCandidate c;
            c.ts = ev.ts ? ev.ts : d.first_ns;
            c.src_mac = d.mac;
            if (!d.ips.empty()) {
                c.has_src = true;
                c.src = d.ips.front();
            }
            const std::string who = !d.mac.empty() ? d.mac : (c.has_src ? c.src.to_string() : std::string("?"));
            auto& e = c.explanation;
            e.metric = "device_first_seen";
            e.value = 1;
            e.text = "new device " + who + (d.vendor.empty() ? "" : " (" + d.vendor + ")") +
                     (c.has_src && !d.mac.empty() ? " at " + c.src.to_string() : "");
            if (!d.vendor.empty()) c.evidence.push_back({"vendor", d.vendor});
            if (!d.hostnames.empty()) c.evidence.push_back({"hostnames", d.hostnames});
            if (!d.os.empty()) c.evidence.push_back({"os", d.os});
            std::vector<std::string> ips;
            for (const IpAddr& ip : d.ips) ips.push_back(ip.to_string());
            if (!ips.empty()) c.evidence.push_back({"ips", std::move(ips)});
            sink.raise(std::move(c));
        }
    }

 private:
    config::NewDeviceConfig cfg_;
};

}  // namespace

DetectorFactory new_device_detector() { return {AlertKind::kNewDevice, nullptr, &make_global<Global>}; }

}  // namespace nms::detect
