#pragma once
// Entry point of the L2-L4 decoder: a pure function over bytes. Bounds-checked at every
// layer, never reads past caplen, never allocates; the caller counts out.event.
#include <cstdint>

#include "decode/packet_view.hpp"

namespace nms::decode {

// Decodes one frame of link type `link` into `out` (which is fully reset first).
// Returns out.status.
//
// Contract, layer by layer:
// - Link types: Ethernet II, Linux SLL/SLL2, NULL, LOOP, raw IPv4/IPv6, PPP/PPP_HDLC (also
//   inside PPPoE sessions). Below: VLAN (0x8100/0x88a8/0x9100, first three ids kept), MPLS
//   (a shim: labels never enter the key), ARP, IPv4, IPv6 (+ extension headers), TCP, UDP,
//   ICMP/ICMPv6, SCTP. 802.3/LLC frames (STP, CDP, ...) are kNonIp with `ethertype` holding
//   the 802.3 length (< 0x0600); ethertypes without a decoder are kNonIp, with
//   kUnknownEthertype unless they are common L2 control protocols (LLDP, EAPOL, LACP, ...).
// - Tunnels (GRE v0/v1, IP-in-IP, 6in4, VXLAN, GENEVE, Teredo, GTP-U) are decapsulated: the
//   flow is the INNERMOST IP/transport, plus the outermost tunnel's type and id (VNI / GRE
//   key) in the key; ids that differ by direction (PPTP call id, GTP TEID) are 0. A tunnel
//   whose own header (or its inner header's fixed part) is cut, malformed or not IP is not
//   entered: the packet stays a flow of the outer protocol (with an event when damaged).
//   Once entered, the inner frame's status is the packet's status.
// - kFlow: the key is canonical (lower (address, port) first; `swapped` says the direction).
//   ICMP/ICMPv6 use ports 0/0 (icmp_id is in the view only), so echo request and reply are one
//   flow. Non-first fragments and unknown transports (OSPF, ESP, ...) are flows with ports 0;
//   a first fragment carries its ports (is_fragment && first_fragment).
// - Truncation: a header cut short is an event. If the transport header is cut but its ports
//   (first 4 bytes) are there, the packet stays kFlow with those ports and an event; if even
//   the ports are missing it is kInvalid (a flow with ports 0 would split the real flow).
//   IP/L2 headers that are cut make the packet kInvalid. A payload shorter than the IP length
//   says (snaplen) stays kFlow with kIpPayloadTruncated.
// - payload is clipped to caplen, to the IP length (Ethernet padding is never payload) and to
//   the UDP length. Nothing is ever read past caplen; at most 16 layers are decoded.
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
