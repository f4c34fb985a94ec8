#pragma once
// One factory per detector file (detectors/<kind>.cpp); registry.cpp lists them.
#include "detect/registry.hpp"

namespace nms::detect {

DetectorFactory port_scan_vertical_detector();
DetectorFactory port_scan_horizontal_detector();
DetectorFactory host_sweep_detector();
DetectorFactory syn_flood_detector();
DetectorFactory icmp_flood_detector();
DetectorFactory udp_flood_detector();
DetectorFactory ddos_detector();
DetectorFactory exfiltration_detector();
DetectorFactory traffic_spike_detector();
DetectorFactory new_device_detector();
DetectorFactory arp_scan_detector();
DetectorFactory arp_spoof_detector();
DetectorFactory dns_tunnel_detector();
DetectorFactory nxdomain_storm_detector();
DetectorFactory lateral_movement_detector();
DetectorFactory brute_force_detector();

}  // namespace nms::detect
