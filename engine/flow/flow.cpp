#include "flow/flow.hpp"

#include "decode/packet_view.hpp"

namespace nms::flow {

// Suricata (output-json-flow.c): flow.state is new / established / closed; a UDP-like flow
// becomes established once both directions were seen.
const char* eve_flow_state(TcpState s, uint8_t proto, bool both_dirs) noexcept {
    if (proto != decode::kIpProtoTcp) return both_dirs ? "established" : "new";
    switch (s) {
        case TcpState::kNone:
        case TcpState::kSynSent:
        case TcpState::kSynRecv:
            return "new";
        case TcpState::kEstablished:
        case TcpState::kFinWait:
            return "established";
        case TcpState::kClosing:
        case TcpState::kClosed:
        case TcpState::kReset:
            return "closed";
    }
    return "new";
}

const char* eve_flow_state(const Flow& f) noexcept {
    return eve_flow_state(f.tcp_state, f.key.proto, f.both_directions());
}

// Suricata's flow.reason knows timeout / forced / shutdown. Its closed TCP flows also end
// by timeout (of the closed state); an active-timeout split is a timeout of its own kind.
const char* eve_end_reason(EndReason r) noexcept {
    switch (r) {
        case EndReason::kTimeout:
        case EndReason::kActiveTimeout:
        case EndReason::kTcpClosed:
            return "timeout";
        case EndReason::kEvicted:
            return "forced";
        case EndReason::kShutdown:
            return "shutdown";
    }
    return "timeout";
}

const char* eve_tcp_state(TcpState s) noexcept {
    switch (s) {
        case TcpState::kNone: return "none";
        case TcpState::kSynSent: return "syn_sent";
        case TcpState::kSynRecv: return "syn_recv";
        case TcpState::kEstablished: return "established";
        case TcpState::kFinWait: return "fin_wait1";
        case TcpState::kClosing: return "closing";
        case TcpState::kClosed:
        case TcpState::kReset: return "closed";
    }
    return "none";
}

}  // namespace nms::flow
