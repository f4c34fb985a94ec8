// ARP (RFC 826). Addresses are filled only for Ethernet/IPv4 ARP, the only kind a LAN
// monitor learns devices from; other hardware/protocol pairs keep just the opcode.
#include <cstring>

#include "decode/decode_context.hpp"

namespace nms::decode::detail {

namespace {
constexpr uint32_t kArpFixedLen = 8;
constexpr uint32_t kArpEthIpv4Len = 28;
}  // namespace

DecodeStatus decode_arp(DecodeContext& c, uint32_t off, uint32_t len) noexcept {
    if (len < kArpFixedLen) return invalid(c, DecodeEvent::kArpTruncated);
    if (!enter_layer(c, off)) return DecodeStatus::kInvalid;
    const uint8_t* p = c.frame + off;
    PacketView& pv = c.pv;
    pv.l3_off = off16(off);
    ArpInfo& arp = pv.arp;
    arp.op = load_be16(p + 6);
    const bool eth_ipv4 = load_be16(p) == 1 && load_be16(p + 2) == 0x0800 && p[4] == 6 && p[5] == 4;
    if (eth_ipv4) {
        if (len < kArpEthIpv4Len) return invalid(c, DecodeEvent::kArpTruncated);
        std::memcpy(arp.sender_mac, p + 8, 6);
        arp.sender_ip = IpAddr::from_v4(p + 14);
        std::memcpy(arp.target_mac, p + 18, 6);
        arp.target_ip = IpAddr::from_v4(p + 24);
    }
    return non_ip(c, L3::kArp);
}

}  // namespace nms::decode::detail
