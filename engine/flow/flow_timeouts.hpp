#pragma once
#include <cstdint>

#include "common/time.hpp"

namespace nms::flow {

// Idle timeouts per protocol and state (seconds), plus the active timeout after which a
// long-lived flow is reported and restarted. Defaults follow Suricata's flow-timeouts.
struct FlowTimeouts {
    uint32_t tcp_new_s = 60;          // handshake not complete
    uint32_t tcp_established_s = 600;
    uint32_t tcp_closed_s = 10;       // after FIN/RST: linger for late packets
    uint32_t udp_s = 120;
    uint32_t icmp_s = 60;
    uint32_t other_s = 120;
    uint32_t active_s = 1800;         // 0 = never split long flows

    bool operator==(const FlowTimeouts&) const = default;  // config reload diffs
};

}  // namespace nms::flow
