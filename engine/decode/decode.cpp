// Entry point: link-type dispatch, the ethertype and IP-protocol dispatch tables shared by
// every layer, and the canonical FlowKey built once the innermost transport is known.
#include "decode/decode.hpp"

#include <cstring>
#include <type_traits>

#include "decode/decode_context.hpp"

namespace nms::decode {
namespace detail {

namespace {

// Layer-2 protocols that are expected on a LAN and carry no IP flow: no event for them.
bool is_known_non_ip(uint16_t ethertype) noexcept {
    switch (ethertype) {
        case 0x88cc:  // LLDP
        case 0x888e:  // EAPOL
        case 0x8809:  // slow protocols (LACP)
        case 0x88f7:  // PTP
        case 0x8863:  // PPPoE discovery
        case 0x8035:  // RARP
        case 0x8902:  // CFM
        case 0x9000:  // loopback
        case 0x0842:  // wake-on-LAN
        case 0x8137:  // IPX
        case 0x809b:  // AppleTalk
        case 0x80f3:  // AARP
        case 0x8906:  // FCoE
        case 0x8914:  // FIP
        case 0x88e1:  // HomePlug
        case 0x893a:  // IEEE 1905.1
        case 0x88e5:  // MACsec (encrypted: nothing to decode)
            return true;
        default:
            return false;
    }
}

}  // namespace

DecodeStatus dispatch_ethertype(DecodeContext& c, uint16_t ethertype, uint32_t off, uint32_t len) noexcept {
    c.pv.ethertype = ethertype;
    switch (ethertype) {
        case 0x0800:
            return decode_ipv4(c, off, len);
        case 0x86dd:
            return decode_ipv6(c, off, len);
        case 0x0806:
            return decode_arp(c, off, len);
        case 0x8100:
        case 0x88a8:
        case 0x9100:
            return decode_vlan(c, off, len);
        case 0x8847:
        case 0x8848:
            return decode_mpls(c, off, len);
        case 0x8864:
            return decode_pppoe_session(c, off, len);
        case 0x6558:
            return decode_ethernet(c, off, len);  // transparent Ethernet bridging (GRE)
        default:
            break;
    }
    c.pv.l3_off = off16(off);  // where a non-IP payload starts (LLDP, CDP), for device discovery
    if (ethertype < 0x0600) return non_ip(c, L3::kOther);  // 802.3 length: LLC/SNAP (STP, CDP, ...)
    if (!is_known_non_ip(ethertype)) set_event(c.pv, DecodeEvent::kUnknownEthertype);
    return non_ip(c, L3::kOther);
}

DecodeStatus dispatch_ip_proto(DecodeContext& c, uint8_t proto, uint32_t off, uint32_t len) noexcept {
    // What every transport starts from: an unknown protocol (OSPF, ESP, ...) stays a flow with
    // ports 0 and its whole IP payload as payload.
    PacketView& pv = c.pv;
    pv.ip_proto = proto;
    pv.l4_off = off16(off);
    pv.payload = ByteView{c.frame + off, len};
    switch (proto) {
        case kIpProtoTcp:
            return decode_tcp(c, off, len);
        case kIpProtoUdp:
            return decode_udp(c, off, len);
        case kIpProtoIcmp:
            return decode_icmp(c, off, len);
        case kIpProtoIcmpv6:
            return decode_icmpv6(c, off, len);
        case kIpProtoSctp:
            return decode_sctp(c, off, len);
        case kIpProtoGre:
            return decode_gre(c, off, len);
        case 4:   // IPv4 in IP
        case 41:  // IPv6 in IP (6in4)
            return decode_ip_in_ip(c, proto, off, len);
        default:
            return DecodeStatus::kFlow;
    }
}

}  // namespace detail

namespace {

using detail::DecodeContext;

DecodeStatus dispatch_link(DecodeContext& c, LinkType link, uint32_t len) noexcept {
    switch (link) {
        case LinkType::kEthernet:
            return detail::decode_ethernet(c, 0, len);
        case LinkType::kLinuxSll:
            return detail::decode_linux_sll(c, 0, len);
        case LinkType::kLinuxSll2:
            return detail::decode_linux_sll2(c, 0, len);
        case LinkType::kRaw:
            return detail::decode_raw_ip(c, 0, len);
        case LinkType::kIpv4:
            return detail::decode_ipv4(c, 0, len);
        case LinkType::kIpv6:
            return detail::decode_ipv6(c, 0, len);
        case LinkType::kNull:
            return detail::decode_null(c, 0, len);
        case LinkType::kLoop:
            return detail::decode_loop(c, 0, len);
        case LinkType::kPpp:
        case LinkType::kPppHdlc:
            return detail::decode_ppp(c, 0, len);
    }
    return detail::invalid(c, DecodeEvent::kUnknownLinkType);
}

// A defaulted view to copy from: one fixed-size copy is the cheapest reset that still
// honours every default member initializer of PacketView (`out = PacketView{}` builds a
// temporary first and costs twice as much).
const PacketView kEmptyView{};
static_assert(std::is_trivially_copyable_v<PacketView>, "PacketView is reset with memcpy");

// Lexicographic (memcmp) order of two addresses, as two big-endian 64-bit compares (a
// memcmp call here was a tenth of the decode time).
int compare_addr(const IpAddr& a, const IpAddr& b) noexcept {
    const uint64_t a0 = load_be64(a.bytes.data());
    const uint64_t b0 = load_be64(b.bytes.data());
    if (a0 != b0) return a0 < b0 ? -1 : 1;
    const uint64_t a1 = load_be64(a.bytes.data() + 8);
    const uint64_t b1 = load_be64(b.bytes.data() + 8);
    if (a1 != b1) return a1 < b1 ? -1 : 1;
    return 0;
}

// Canonical key: the lower (address, port) endpoint first, so both directions share it.
void build_flow_key(PacketView& pv) noexcept {
    FlowKey& k = pv.key;
    const int cmp = compare_addr(pv.src_ip, pv.dst_ip);
    pv.swapped = cmp > 0 || (cmp == 0 && pv.src_port > pv.dst_port);
    if (pv.swapped) {
        k.addr_lo = pv.dst_ip;
        k.addr_hi = pv.src_ip;
        k.port_lo = pv.dst_port;
        k.port_hi = pv.src_port;
    } else {
        k.addr_lo = pv.src_ip;
        k.addr_hi = pv.dst_ip;
        k.port_lo = pv.src_port;
        k.port_hi = pv.dst_port;
    }
    k.vlan = pv.vlan_count > 0 ? static_cast<uint16_t>(pv.vlan_ids[0] & 0x0fffu) : uint16_t{0};
    k.proto = pv.ip_proto;
    k.tunnel_type = static_cast<uint8_t>(pv.tunnel);
    k.tunnel_id = pv.tunnel_id;
}

}  // namespace

DecodeStatus decode_packet(LinkType link, const uint8_t* data, uint32_t caplen, uint32_t wirelen,
                           TimestampNs ts_ns, PacketView& out) noexcept {
    std::memcpy(static_cast<void*>(&out), &kEmptyView, sizeof(PacketView));
    out.data = data;
    out.caplen = caplen;
    out.wirelen = wirelen;
    out.ts_ns = ts_ns;
    out.link = link;
    if (data == nullptr || caplen == 0) {
        out.event = DecodeEvent::kZeroLength;
        out.status = DecodeStatus::kInvalid;
        return out.status;
    }
    DecodeContext c{out, data};
    out.status = dispatch_link(c, link, caplen);
    if (out.status == DecodeStatus::kFlow) build_flow_key(out);
    return out.status;
}

bool is_supported_link_type(int linktype) noexcept {
    switch (linktype) {
        case static_cast<int>(LinkType::kNull):
        case static_cast<int>(LinkType::kEthernet):
        case static_cast<int>(LinkType::kPpp):
        case static_cast<int>(LinkType::kRaw):
        case static_cast<int>(LinkType::kPppHdlc):
        case static_cast<int>(LinkType::kLoop):
        case static_cast<int>(LinkType::kLinuxSll):
        case static_cast<int>(LinkType::kIpv4):
        case static_cast<int>(LinkType::kIpv6):
        case static_cast<int>(LinkType::kLinuxSll2):
            return true;
        default:
            return false;
    }
}

}  // namespace nms::decode
