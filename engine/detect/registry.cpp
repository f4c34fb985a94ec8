// The detectors the engine runs: one line each (DESIGN 2.5). Order = slot in DetectDelta.
#include "detect/registry.hpp"

#include "detect/detectors/detectors.hpp"

namespace nms::detect {

const std::vector<DetectorFactory>& builtin_detectors() {
    static const std::vector<DetectorFactory> kDetectors = [] {
        std::vector<DetectorFactory> r;
        r.push_back(port_scan_vertical_detector());
        r.push_back(port_scan_horizontal_detector());
        r.push_back(host_sweep_detector());
        r.push_back(syn_flood_detector());
        r.push_back(icmp_flood_detector());
        r.push_back(udp_flood_detector());
        r.push_back(ddos_detector());
        r.push_back(exfiltration_detector());
        r.push_back(traffic_spike_detector());
        r.push_back(new_device_detector());
        r.push_back(arp_scan_detector());
        r.push_back(arp_spoof_detector());
        r.push_back(dns_tunnel_detector());
        r.push_back(nxdomain_storm_detector());
        r.push_back(lateral_movement_detector());
        r.push_back(brute_force_detector());
        return r;
    }();
    return kDetectors;
}

}  // namespace nms::detect
