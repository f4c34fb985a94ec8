#pragma once
// Alert: one episode of one kind of trouble from one source (or against one victim). It is
// opened when a detector first fires, updated while the episode lasts (counts, last_seen,
// victims) and ended after it has been quiet for a while: never one alert per packet.
// This is the contract shared by the detectors (which fill it), EVE output, the store, the
// REST API and mitigation (which read it).
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/ip_addr.hpp"
#include "common/time.hpp"

namespace nms::detect {

// The kind names are an API contract (EVE alert.kind, REST filters, config sections).
enum class AlertKind : uint8_t {
    kPortScanVertical = 0,
    kPortScanHorizontal,
    kHostSweep,
    kSynFlood,
    kIcmpFlood,
    kUdpFlood,
    kDdos,
    kArpScan,
    kArpSpoof,
    kDnsTunnel,
    kNxdomainStorm,
    kExfiltration,
    kLateralMovement,
    kBruteForce,
    kTrafficSpike,
    kNewDevice,
    kCount
};

enum class Severity : uint8_t { kInfo = 0, kLow, kMedium, kHigh, kCritical };

// What an operator sees for each kind, and how Suricata-style consumers file it.
struct AlertKindInfo {
    AlertKind kind;
    const char* name;            // "port_scan_vertical"
    const char* signature;       // one line: "Vertical port scan"
    const char* category;        // Suricata classtype-like: "Attempted Information Leak"
    const char* technique_id;    // MITRE ATT&CK: "T1046"
    const char* technique_name;  // "Network Service Discovery"
    Severity default_severity;
    bool mitigable;              // flood, scan and brute-force kinds may trigger a ban
};

inline constexpr AlertKindInfo kAlertKinds[] = {
    {AlertKind::kPortScanVertical, "port_scan_vertical", "Vertical port scan", "Attempted Information Leak",
     "T1046", "Network Service Discovery", Severity::kMedium, true},
    {AlertKind::kPortScanHorizontal, "port_scan_horizontal", "Horizontal port scan", "Attempted Information Leak",
     "T1046", "Network Service Discovery", Severity::kMedium, true},
    {AlertKind::kHostSweep, "host_sweep", "Host sweep", "Attempted Information Leak", "T1018",
     "Remote System Discovery", Severity::kMedium, true},
    {AlertKind::kSynFlood, "syn_flood", "TCP SYN flood", "Attempted Denial of Service", "T1498.001",
     "Network Denial of Service: Direct Network Flood", Severity::kHigh, true},
    {AlertKind::kIcmpFlood, "icmp_flood", "ICMP flood", "Attempted Denial of Service", "T1498.001",
     "Network Denial of Service: Direct Network Flood", Severity::kHigh, true},
    {AlertKind::kUdpFlood, "udp_flood", "UDP flood", "Attempted Denial of Service", "T1498.001",
     "Network Denial of Service: Direct Network Flood", Severity::kHigh, true},
    {AlertKind::kDdos, "ddos", "Traffic to one host dominated by a flood", "Attempted Denial of Service", "T1499",
     "Endpoint Denial of Service", Severity::kHigh, true},
    {AlertKind::kArpScan, "arp_scan", "ARP scan", "Attempted Information Leak", "T1018", "Remote System Discovery",
     Severity::kMedium, false},
    {AlertKind::kArpSpoof, "arp_spoof", "ARP spoofing / IP-MAC binding change", "Potential Corporate Privacy Violation",
     "T1557.002", "Adversary-in-the-Middle: ARP Cache Poisoning", Severity::kHigh, false},
    {AlertKind::kDnsTunnel, "dns_tunnel", "DNS tunnelling", "Potential Corporate Privacy Violation", "T1071.004",
     "Application Layer Protocol: DNS", Severity::kHigh, false},
    {AlertKind::kNxdomainStorm, "nxdomain_storm", "NXDOMAIN storm (DGA or misconfiguration)", "Potentially Bad Traffic",
     "T1568.002", "Dynamic Resolution: Domain Generation Algorithms", Severity::kMedium, false},
    {AlertKind::kExfiltration, "exfiltration", "Large upload to one external host", "Potential Corporate Privacy Violation",
     "T1048", "Exfiltration Over Alternative Protocol", Severity::kHigh, false},
    {AlertKind::kLateralMovement, "lateral_movement", "Lateral movement over admin protocols", "Attempted User Privilege Gain",
     "T1021", "Remote Services", Severity::kHigh, false},
    {AlertKind::kBruteForce, "brute_force", "Login brute force", "Attempted User Privilege Gain", "T1110", "Brute Force",
     Severity::kHigh, true},
    {AlertKind::kTrafficSpike, "traffic_spike", "Traffic far above baseline", "Potentially Bad Traffic", "T1498",
     "Network Denial of Service", Severity::kLow, false},
    {AlertKind::kNewDevice, "new_device", "New device on the network", "Not Suspicious Traffic", "", "",
     Severity::kInfo, false},
};
static_assert(sizeof kAlertKinds / sizeof kAlertKinds[0] == static_cast<size_t>(AlertKind::kCount));

inline constexpr const AlertKindInfo& alert_kind_info(AlertKind k) noexcept {
    return kAlertKinds[static_cast<size_t>(k) < static_cast<size_t>(AlertKind::kCount) ? static_cast<size_t>(k) : 0];
}
inline constexpr const char* alert_kind_name(AlertKind k) noexcept { return alert_kind_info(k).name; }
// "port_scan_vertical" -> kPortScanVertical; kCount when unknown.
inline AlertKind alert_kind_from_name(std::string_view name) noexcept {
    for (const auto& i : kAlertKinds)
        if (name == i.name) return i.kind;
    return AlertKind::kCount;
}

inline constexpr const char* severity_name(Severity s) noexcept {
    constexpr const char* kNames[] = {"info", "low", "medium", "high", "critical"};
    return static_cast<size_t>(s) < 5 ? kNames[static_cast<size_t>(s)] : "info";
}
// Suricata's numeric severity: 1 is the most severe.
inline constexpr int severity_suricata(Severity s) noexcept {
    return s >= Severity::kHigh ? 1 : s == Severity::kMedium ? 2 : 3;
}

// Why the alert fired, in numbers an operator can check: the measured value, the window it
// was measured over, and the threshold or baseline it crossed.
struct Explanation {
    std::string metric;       // "distinct_dst_ports", "syn_per_s", "bytes_out", ...
    double value = 0;
    double threshold = 0;     // the configured threshold it crossed (0 if baseline-based)
    double window_s = 0;
    double baseline = 0;      // EWMA / hour-of-week baseline for volume detectors, else 0
    double zscore = 0;        // for baseline detectors, else 0
    std::string text;         // one sentence: "198 distinct ports on 10.0.0.5 in 10 s (threshold 100)"
};

// A supporting fact: a number, a string, or a short list (top ports, sample query names).
struct EvidenceField {
    std::string key;
    std::variant<double, std::string, std::vector<std::string>> value;
};

// A peer that contributed most (a victim of a scan, a source of a DDoS, ...), with its share.
struct Contributor {
    IpAddr ip;
    uint64_t count = 0;       // packets, probes, bytes: what the detector counts (see Explanation)
};

struct Alert {
    uint64_t id = 0;                  // unique per data directory, stable for the whole episode
    AlertKind kind = AlertKind::kCount;
    Severity severity = Severity::kInfo;
    bool has_src = false;
    IpAddr src;                       // the attacker / offending host
    bool key_by_victim = false;       // the episode is the victim's (many sources), not src's
    std::string src_mac;              // "aa:bb:.." when known (ARP kinds, new_device), else empty
    bool has_victim = false;
    IpAddr victim;                    // main victim (the busiest), when there is one
    uint32_t victim_count = 0;        // distinct victims seen
    std::vector<Contributor> top_peers;  // at most 10, busiest first
    TimestampNs first_seen = 0;       // packet time
    TimestampNs last_seen = 0;
    uint32_t updates = 0;             // times the episode was updated after it opened
    bool ended = false;               // quiet for the episode timeout
    Explanation explanation;
    std::vector<EvidenceField> evidence;
    std::string evidence_pcap;        // file name under <data_dir>/evidence/, empty if none
};

// What happened to an alert at this moment.
enum class AlertPhase : uint8_t { kOpened = 0, kUpdated, kEnded };

inline constexpr const char* alert_phase_name(AlertPhase p) noexcept {
    constexpr const char* kNames[] = {"opened", "updated", "ended"};
    return kNames[static_cast<size_t>(p) < 3 ? static_cast<size_t>(p) : 0];
}

// Receives alert lifecycle changes on the stats thread (EVE writer, store, API broadcaster,
// mitigation). Must not block: copy what is needed into a bounded queue.
class AlertListener {
 public:
    virtual ~AlertListener() = default;
    virtual void on_alert(const Alert& alert, AlertPhase phase) noexcept = 0;
};

}  // namespace nms::detect
