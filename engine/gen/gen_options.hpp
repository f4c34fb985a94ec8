#pragma once
// GenOptions: everything that shapes a generated capture. Same options + same seed = the
// same bytes.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.hpp"

namespace nms::gen {

enum class Mix : uint8_t {
    kL7,    // realistic application sessions (DNS, HTTP, TLS, QUIC, SSH, SMB2, DHCP, mDNS, ARP)
    kImix,  // TCP/UDP bulk flows with 60/590/1514-byte frames in 7:4:1 (the "simple IMIX")
    k64,    // TCP/UDP flows of minimum-size frames (64 bytes on the wire with FCS, 60 captured)
};

enum class AnomalyKind : uint8_t {
    kPortScan, kHostSweep, kSynFlood, kDnsTunnel, kNxdomainStorm, kArpSpoof, kExfiltration, kBruteForce,
    kLateralMovement,
};
inline constexpr int kAnomalyKinds = 9;

struct AnomalySpec {
    AnomalyKind kind = AnomalyKind::kPortScan;
    uint32_t param = 0;  // size of the anomaly (ports, hosts, SYNs, queries, MB...); 0 = default
};

struct GenOptions {
    uint32_t flows = 1000;        // concurrent sessions (conversations in progress at once)
    uint64_t packets = 100000;    // total frames; 0 = unlimited (demo / live)
    double rate = 100000;         // packets per second: timestamps (pcap) or pacing (live)
    uint64_t seed = 1;
    Mix mix = Mix::kL7;
    double v6_share = 0.1;        // share of sessions over IPv6 (where the protocol has a v6 form)
    uint32_t local_hosts = 0;     // hosts on the LAN; 0 = flows / 4, clamped to [16, 60000]
    std::vector<AnomalySpec> anomalies;
    int only_kind = -1;           // >= 0: every session is this SessionKind (tests, focused captures)
    double anomaly_share = 0.3;   // while an anomaly runs, this share of the frames is its
    TimestampNs start_ns = 1704067200ULL * kNsPerSec;  // 2024-01-01T00:00:00Z
};

const char* anomaly_name(AnomalyKind kind) noexcept;
// "portscan", "portscan:200", "synflood:50000", ... ; false + error on an unknown kind/param.
bool parse_anomaly(std::string_view text, AnomalySpec& out, std::string& error);
bool parse_mix(std::string_view text, Mix& out) noexcept;
// Default size of each anomaly when param is 0.
uint32_t anomaly_default_param(AnomalyKind kind) noexcept;

}  // namespace nms::gen
