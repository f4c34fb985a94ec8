#pragma once
// Per-packet bookkeeping of one Flow: orientation of a new flow, direction counters,
// jitter, and the TCP state machine with Zeek-style retransmission / out-of-order
// heuristics. Pure functions over a Flow and a PacketView: no table, no allocation.
#include <cstdint>

#include "decode/packet_view.hpp"
#include "flow/flow.hpp"

namespace nms::flow {

// Whether the sender of a flow's first packet is its client. TCP SYN -> client, SYN+ACK ->
// server; ICMP echo/timestamp reply -> server; else for TCP/UDP/SCTP a source port < 1024
// talking to a port >= 1024 is taken as the server; otherwise the first sender is the client.
// `has_l4`: the packet carries its L4 header (false for non-first fragments).
bool first_sender_is_client(const decode::PacketView& pkt, uint8_t proto, uint16_t src_port,
                            uint16_t dst_port, bool has_l4) noexcept;

// L4 payload length as it was on the wire: the captured payload, or, when the frame was
// truncated by the snap length, the length the IP header claims. TCP sequence tracking
// needs the latter, or every truncated segment would look like a gap.
uint32_t l4_wire_payload_len(const decode::PacketView& pkt) noexcept;

// Applies one packet travelling in `dir` to `f` (counters, jitter, TCP state/RTT/seq).
void update_flow(Flow& f, Dir dir, const decode::PacketView& pkt, bool has_l4) noexcept;

// Zeroes what a flow record reports (volume, retransmits, flags, reporting marks) for a
// restart after an active timeout; keeps identity, orientation, TCP state, RTT and
// sequence tracking.
void reset_flow_counters(Flow& f) noexcept;

}  // namespace nms::flow
