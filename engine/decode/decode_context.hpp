#pragma once
// Internal to nms_decode: the state shared by the per-layer decoders and their signatures.
//
// Every decoder has the shape of Suricata's decode-ethernet.c: bounds check -> event on error
// -> layer cap -> next decoder. A decoder gets the offset of its header in the frame and the
// number of bytes it may read from there (already clipped to caplen and to every enclosing
// length field), so `off + len <= caplen` always holds and no decoder can read past the frame.
#include <cstdint>

#include "decode/packet_view.hpp"

namespace nms::decode::detail {

// Total layers one frame may stack (each VLAN tag, MPLS label, IPv6 extension header and
// tunnel counts): bounds the work done on crafted frames.
inline constexpr uint8_t kMaxLayers = 16;

struct DecodeContext {
    PacketView& pv;
    const uint8_t* frame;  // == pv.data
    uint8_t layers = 0;
    uint32_t l4_claimed = 0;  // transport bytes the innermost IP header announces (not clipped)
};

inline void set_event(PacketView& pv, DecodeEvent e) noexcept {
    if (pv.event == DecodeEvent::kNone) pv.event = e;
}

[[nodiscard]] inline DecodeStatus invalid(DecodeContext& c, DecodeEvent e) noexcept {
    set_event(c.pv, e);
    return DecodeStatus::kInvalid;
}

[[nodiscard]] inline DecodeStatus non_ip(DecodeContext& c, L3 l3) noexcept {
    c.pv.l3 = l3;
    return DecodeStatus::kNonIp;
}

// Counts one more layer; false (event set) once the frame stacks more than kMaxLayers or a
// header would start beyond what PacketView's 16-bit offsets can hold.
[[nodiscard]] inline bool enter_layer(DecodeContext& c, uint32_t off) noexcept {
    if (++c.layers > kMaxLayers || off > 0xffffu) {
        set_event(c.pv, DecodeEvent::kTooManyLayers);
        return false;
    }
    return true;
}

inline uint16_t off16(uint32_t off) noexcept {
    return static_cast<uint16_t>(off);
}

// Dispatch (decode.cpp): which decoder comes next is decided in one place.
DecodeStatus dispatch_ethertype(DecodeContext& c, uint16_t ethertype, uint32_t off, uint32_t len) noexcept;
DecodeStatus dispatch_ip_proto(DecodeContext& c, uint8_t proto, uint32_t off, uint32_t len) noexcept;

// L2 and link types.
DecodeStatus decode_ethernet(DecodeContext& c, uint32_t off, uint32_t len) noexcept;
DecodeStatus decode_vlan(DecodeContext& c, uint32_t off, uint32_t len) noexcept;
DecodeStatus decode_mpls(DecodeContext& c, uint32_t off, uint32_t len) noexcept;
DecodeStatus decode_arp(DecodeContext& c, uint32_t off, uint32_t len) noexcept;
DecodeStatus decode_linux_sll(DecodeContext& c, uint32_t off, uint32_t len) noexcept;
DecodeStatus decode_linux_sll2(DecodeContext& c, uint32_t off, uint32_t len) noexcept;
DecodeStatus decode_null(DecodeContext& c, uint32_t off, uint32_t len) noexcept;
DecodeStatus decode_loop(DecodeContext& c, uint32_t off, uint32_t len) noexcept;
DecodeStatus decode_raw_ip(DecodeContext& c, uint32_t off, uint32_t len) noexcept;
DecodeStatus decode_ppp(DecodeContext& c, uint32_t off, uint32_t len) noexcept;
DecodeStatus decode_pppoe_session(DecodeContext& c, uint32_t off, uint32_t len) noexcept;

// L3.
DecodeStatus decode_ipv4(DecodeContext& c, uint32_t off, uint32_t len) noexcept;
DecodeStatus decode_ipv6(DecodeContext& c, uint32_t off, uint32_t len) noexcept;

// L4. `len` is the captured transport length; c.l4_claimed what the IP header announced.
DecodeStatus decode_tcp(DecodeContext& c, uint32_t off, uint32_t len) noexcept;
DecodeStatus decode_udp(DecodeContext& c, uint32_t off, uint32_t len) noexcept;
DecodeStatus decode_icmp(DecodeContext& c, uint32_t off, uint32_t len) noexcept;
DecodeStatus decode_icmpv6(DecodeContext& c, uint32_t off, uint32_t len) noexcept;
DecodeStatus decode_sctp(DecodeContext& c, uint32_t off, uint32_t len) noexcept;

// Tunnels (tunnels.cpp). Each returns the inner frame's status, or leaves the outer packet
// as it is (a flow of the outer protocol, with an event) when the tunnel header is unusable.
DecodeStatus decode_gre(DecodeContext& c, uint32_t off, uint32_t len) noexcept;
DecodeStatus decode_ip_in_ip(DecodeContext& c, uint8_t proto, uint32_t off, uint32_t len) noexcept;
// UDP payload at [off, off+len) of a datagram between the given ports: decapsulates VXLAN,
// GENEVE, Teredo or GTP-U when the ports and the header say so. Returns false (nothing changed but
// perhaps an event) when the datagram is plain UDP; otherwise `status` is the inner result.
bool decode_udp_tunnel(DecodeContext& c, uint16_t sport, uint16_t dport, uint32_t off, uint32_t len,
                       uint32_t claimed, DecodeStatus& status) noexcept;

// Records a tunnel the decoder is about to descend into (after its header checked out): the
// outermost one is what PacketView and the FlowKey keep.
inline void enter_tunnel(DecodeContext& c, TunnelType type, uint32_t id) noexcept {
    if (c.pv.tunnel == TunnelType::kNone) {
        c.pv.tunnel = type;
        c.pv.tunnel_id = id;
    }
    ++c.pv.tunnel_depth;
}

}  // namespace nms::decode::detail
