#pragma once
// Flow: one bidirectional conversation as a worker tracks it. Owned by exactly one
// FlowTable (one worker); never shared, never locked. Kept small on purpose: the
// budget is <= 256 bytes per tracked flow including the table's own overhead.
#include <cstdint>

#include "common/time.hpp"
#include "decode/flow_key.hpp"

namespace nms::flow {

// Index 0 = client -> server ("toserver"), 1 = server -> client ("toclient").
enum Dir : uint8_t { kToServer = 0, kToClient = 1 };

enum class TcpState : uint8_t {
    kNone,         // not TCP, or no packet seen yet
    kSynSent,      // client SYN seen
    kSynRecv,      // server SYN+ACK seen
    kEstablished,  // handshake done, or picked up mid-stream
    kFinWait,      // one side sent FIN
    kClosing,      // both sides sent FIN, waiting for the last ACK
    kClosed,       // both FINs acknowledged
    kReset,        // RST seen
};

enum class EndReason : uint8_t {
    kTimeout,        // idle timeout for its protocol/state
    kActiveTimeout,  // long-lived flow reported and restarted
    kTcpClosed,      // FIN handshake or RST, reported after the closed-state linger
    kEvicted,        // table full: the oldest idle flow made room
    kShutdown,       // end of capture file or process stop
};

// Suricata's EVE vocabulary for flow.state / flow.reason / tcp.state.
const char* eve_flow_state(TcpState s, uint8_t proto) noexcept;
const char* eve_end_reason(EndReason r) noexcept;
const char* eve_tcp_state(TcpState s) noexcept;

struct Flow {
    decode::FlowKey key;           // 48
    uint64_t flow_id = 0;          // unique per process; EVE flow_id
    TimestampNs first_ns = 0;
    TimestampNs last_ns = 0;
    uint64_t bytes[2]{};           // wire bytes per direction (L2 header included)
    uint32_t pkts[2]{};
    uint32_t payload_bytes[2]{};   // L4 payload seen (saturating), for DPI budgets later

    // TCP tracking.
    uint32_t next_seq[2]{};        // highest seq + len seen per direction
    uint32_t retransmits[2]{};
    uint32_t out_of_order[2]{};
    TimestampNs syn_ns = 0;        // first client SYN
    TimestampNs synack_ns = 0;     // first server SYN+ACK
    uint32_t rtt_client_us = 0;    // SYN+ACK -> ACK (client side of the monitor)
    uint32_t rtt_server_us = 0;    // SYN -> SYN+ACK (server side of the monitor)
    uint32_t jitter_us[2]{};       // RFC 3550 style smoothed inter-arrival variation per direction
    uint32_t last_gap_us[2]{};

    // Table bookkeeping (intrusive LRU by last activity; indices into the flow slab).
    uint32_t lru_prev = 0;
    uint32_t lru_next = 0;

    uint16_t app_proto = 0;        // AppId (0 = unknown); DPI fills it later
    uint8_t tcp_flags[2]{};        // OR of flags per direction
    TcpState tcp_state = TcpState::kNone;
    bool client_is_lo = true;      // orientation: is key.addr_lo the client?
    bool seq_init[2]{};
    uint8_t fin_seen = 0;          // bit per direction
    bool has_rtt = false;

    [[nodiscard]] uint8_t proto() const noexcept { return key.proto; }
    [[nodiscard]] uint64_t total_pkts() const noexcept { return uint64_t{pkts[0]} + pkts[1]; }
    [[nodiscard]] uint64_t total_bytes() const noexcept { return bytes[0] + bytes[1]; }
};

// Receives flows as they end (timeout, close, eviction, shutdown). Called on the worker
// thread that owns the flow; the Flow reference is valid only during the call.
class FlowEndSink {
 public:
    virtual ~FlowEndSink() = default;
    virtual void on_flow_end(const Flow& flow, EndReason reason) = 0;
};

}  // namespace nms::flow
