#pragma once
// Flow: one bidirectional conversation as a worker tracks it. Owned by exactly one
// FlowTable (one worker); never shared, never locked. Kept small on purpose: the
// budget is <= 256 bytes per tracked flow including the table's own index. The first 64
// bytes hold everything a lookup and an LRU move touch.
#include <cstdint>
#include <type_traits>

#include "common/ip_addr.hpp"
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

// Bits of Flow::tcp_bits (per direction d: bit << d).
inline constexpr uint8_t kSeqInit = 0x01;      // next_seq[d] is valid
inline constexpr uint8_t kFinSeen = 0x04;      // d sent a FIN
inline constexpr uint8_t kFinAcked = 0x10;     // d's FIN was acknowledged by the other side
inline constexpr uint8_t kSynRttKnown = 0x40;  // rtt_server_us was measured (SYN -> SYN+ACK)

struct Flow {
    // Line 0: what lookup and the LRU move touch on every packet.
    decode::FlowKey key;           // canonical: addr_lo/port_lo is the lower endpoint
    uint32_t lru_prev = 0;         // table bookkeeping: slab indices in its LRU list
    uint32_t lru_next = 0;
    TimestampNs last_ns = 0;       // last packet, either direction

    // Line 1: identity and volume.
    uint64_t flow_id = 0;          // unique per process, < 2^53; EVE flow_id
    TimestampNs first_ns = 0;
    uint64_t bytes[2]{};           // wire bytes per direction (L2 header included)
    uint32_t pkts[2]{};            // saturating
    TimestampNs dir_last_ns[2]{};  // last packet per direction (jitter)
    TimestampNs handshake_ns = 0;  // latest client SYN, then latest server SYN+ACK

    // Line 2: TCP analysis and small state.
    uint32_t payload_bytes[2]{};   // L4 payload on the wire (saturating), for DPI budgets
    uint32_t next_seq[2]{};        // highest seq + len seen per direction
    uint32_t retransmits[2]{};
    uint32_t out_of_order[2]{};
    uint32_t rtt_client_us = 0;    // SYN+ACK -> ACK (client side of the monitor)
    uint32_t rtt_server_us = 0;    // SYN -> SYN+ACK (server side of the monitor)
    uint32_t jitter_us[2]{};       // RFC 3550 smoothed |D| of inter-arrival gaps per direction
    uint32_t last_gap_us[2]{};
    uint16_t app_proto = 0;        // AppId (0 = unknown); DPI fills it
    uint8_t tcp_flags[2]{};        // OR of flags per direction
    TcpState tcp_state = TcpState::kNone;
    bool client_is_lo = true;      // orientation: is key.addr_lo the client?
    bool has_rtt = false;          // rtt_client_us and rtt_server_us both measured
    uint8_t tcp_bits = 0;          // kSeqInit / kFinSeen / kFinAcked / kSynRttKnown

    // Written by the worker's snapshot builder (interval deltas); zeroed on restart.
    uint64_t reported_bytes = 0;
    uint32_t reported_pkts = 0;    // pkts[] are 32-bit too
    // Written by the worker's shard detectors (detect::ShardDetectorSet): the low 32 bits of
    // bytes[] / pkts[] they have already accounted; zeroed on restart.
    uint32_t detect_bytes[2]{};
    uint32_t detect_pkts[2]{};

    // Owned by the worker's DPI engine (dpi::DpiEngine); zeroed with the flow.
    uint8_t dpi_state = 0;         // dpi::FlowDpiState (0 = not started)
    uint8_t app_confidence = 0;    // dpi::Confidence of app_proto
    uint8_t worker_bits = 0;       // the worker's own per-flow marks (pipeline::Worker)
    uint8_t detect_bits = 0;       // the shard detectors' per-flow marks (e.g. handshake counted)

    [[nodiscard]] uint8_t proto() const noexcept { return key.proto; }
    [[nodiscard]] uint64_t total_pkts() const noexcept { return uint64_t{pkts[0]} + pkts[1]; }
    [[nodiscard]] uint64_t total_bytes() const noexcept { return bytes[0] + bytes[1]; }
    [[nodiscard]] bool both_directions() const noexcept { return pkts[0] != 0 && pkts[1] != 0; }

    // Endpoints as EVE prints them (src = client).
    [[nodiscard]] const IpAddr& client_ip() const noexcept { return client_is_lo ? key.addr_lo : key.addr_hi; }
    [[nodiscard]] const IpAddr& server_ip() const noexcept { return client_is_lo ? key.addr_hi : key.addr_lo; }
    [[nodiscard]] uint16_t client_port() const noexcept { return client_is_lo ? key.port_lo : key.port_hi; }
    [[nodiscard]] uint16_t server_port() const noexcept { return client_is_lo ? key.port_hi : key.port_lo; }

    // Direction of a packet whose own key is this flow's key (PacketView::swapped).
    [[nodiscard]] Dir dir_of(bool pkt_swapped) const noexcept {
        return (!pkt_swapped) == client_is_lo ? kToServer : kToClient;
    }
};
static_assert(sizeof(Flow) == 224, "budget: <= 256 B per flow including the 16 B/flow index");
static_assert(std::is_trivially_copyable_v<Flow> && std::is_trivially_destructible_v<Flow>,
              "Flow is copied into records and lives in raw calloc'd memory");

// Suricata's EVE vocabulary for flow.state / flow.reason / tcp.state.
// flow.state: TCP by state ("new" before the handshake completes, "closed" after FINs/RST);
// other protocols "established" once both directions were seen, else "new".
const char* eve_flow_state(TcpState s, uint8_t proto, bool both_dirs = true) noexcept;
const char* eve_flow_state(const Flow& f) noexcept;
// flow.reason: "timeout" (idle, active split, closed linger), "forced" (eviction), "shutdown".
const char* eve_end_reason(EndReason r) noexcept;
// tcp.state: "none", "syn_sent", "syn_recv", "established", "fin_wait1", "closing", "closed".
const char* eve_tcp_state(TcpState s) noexcept;

// Receives flows as they end (timeout, close, eviction, shutdown). Called on the worker
// thread that owns the flow; the Flow reference is valid only during the call, and the
// sink must not call back into the table that is ending it.
class FlowEndSink {
 public:
    virtual ~FlowEndSink() = default;
    virtual void on_flow_end(const Flow& flow, EndReason reason) = 0;
};

}  // namespace nms::flow
