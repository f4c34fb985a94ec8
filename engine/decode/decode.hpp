#pragma once
// Entry point of the L2-L4 decoder: a pure function over bytes. Bounds-checked at every
// layer, never reads past caplen, never allocates; the caller counts out.event.
#include <cstdint>

#include "decode/packet_view.hpp"

namespace nms::decode {

// Decodes one frame of link type `link` into `out` (which is fully reset first).
// Returns out.status.
DecodeStatus decode_packet(LinkType link, const uint8_t* data, uint32_t caplen, uint32_t wirelen,
                           TimestampNs ts_ns, PacketView& out) noexcept;

// Whether decode_packet understands this pcap link type.
bool is_supported_link_type(int linktype) noexcept;

// Hash that picks the worker shard: addresses + VLAN + tunnel id only, symmetric.
// Ports are left out on purpose so that every fragment of a datagram (only the first
// carries ports) reaches the worker that tracks its flow.
inline uint64_t shard_hash(const FlowKey& k) noexcept {
    FlowKey s = k;
    s.port_lo = 0;
    s.port_hi = 0;
    s.proto = 0;
    return flow_hash(s);
}

}  // namespace nms::decode
