// Tunnels, decapsulated to the innermost IP/transport (what tshark's flow view counts):
// GRE (RFC 2784/2890, and enhanced GRE v1 of PPTP), IP-in-IP (4) and 6in4 (41), and on UDP:
// VXLAN (4789), GENEVE (6081), Teredo (3544), GTP-U (2152). The outermost tunnel's type and
// id (VXLAN and GENEVE VNI, GRE key) go into PacketView and the FlowKey; ids that differ by
// direction (PPTP call id, GTP TEID) are left out so both directions keep one key.
//
// Rule: every check on the tunnel header and on the inner header's fixed part happens before
// descending. If one fails, nothing has been overwritten and the packet stays a flow of its
// outer protocol (GRE, proto 4/41, or the UDP datagram), with an event when it was cut or
// malformed. Once descended, the inner frame's status is the packet's status.
#include "decode/decode_context.hpp"

namespace nms::decode::detail {

namespace {
constexpr uint32_t kGreBaseLen = 4;
constexpr uint16_t kGreChecksum = 0x8000;
constexpr uint16_t kGreRouting = 0x4000;
constexpr uint16_t kGreKey = 0x2000;
constexpr uint16_t kGreSeq = 0x1000;
constexpr uint16_t kGreAck = 0x0080;  // version 1 only
constexpr uint16_t kGreProtoPpp = 0x880b;

constexpr uint32_t kVxlanHeaderLen = 8;
constexpr uint8_t kVxlanFlagVni = 0x08;
constexpr uint16_t kVxlanPort = 4789;
constexpr uint32_t kGeneveBaseLen = 8;
constexpr uint16_t kGenevePort = 6081;
constexpr uint16_t kTeredoPort = 3544;
constexpr uint32_t kTeredoOriginLen = 8;
constexpr uint32_t kTeredoAuthFixedLen = 4 + 8 + 1;  // type, lengths; nonce; confirmation
constexpr uint16_t kGtpUPort = 2152;
constexpr uint32_t kGtpHeaderLen = 8;
constexpr uint32_t kGtpOptionalLen = 4;  // sequence, N-PDU number, next extension type
constexpr uint8_t kGtpGpdu = 0xff;
constexpr uint32_t kMaxGtpExtensions = 4;

constexpr uint32_t kEthernetHeaderLen = 14;
constexpr uint32_t kIpv4HeaderLen = 20;
constexpr uint32_t kIpv6HeaderLen = 40;

// Whether the fixed part of the inner header is captured and has the right version. Sets
// `truncated` (or kTunnelInnerInvalid) when not; false without event for an inner protocol
// that is not decapsulated at all.
bool inner_fits(DecodeContext& c, uint16_t ethertype, uint32_t off, uint32_t len,
                DecodeEvent truncated) noexcept {
    uint32_t need = 0;
    unsigned version = 0;
    switch (ethertype) {
        case 0x0800:
            need = kIpv4HeaderLen;
            version = 4;
            break;
        case 0x86dd:
            need = kIpv6HeaderLen;
            version = 6;
            break;
        case 0x6558:
            need = kEthernetHeaderLen;
            break;
        case 0x8847:
        case 0x8848:
            need = 4;
            break;
        default:
            return false;
    }
    if (len < need) {
        set_event(c.pv, truncated);
        return false;
    }
    if (version != 0 && (c.frame[off] >> 4) != version) {
        set_event(c.pv, DecodeEvent::kTunnelInnerInvalid);
        return false;
    }
    return true;
}

// PPP protocol of a PPTP payload mapped to an ethertype; 0 for anything but IP (LCP, MPPE-
// compressed data, ...), which keeps the packet a GRE flow as tshark shows it.
uint16_t ppp_ip_ethertype(const uint8_t* p, uint32_t len, uint32_t& hdr) noexcept {
    hdr = (len >= 2 && p[0] == 0xff && p[1] == 0x03) ? 2 : 0;
    if (len < hdr + 1) return 0;
    if (p[hdr] == 0x21) {  // protocol field compressed to one byte
        hdr += 1;
        return 0x0800;
    }
    if (p[hdr] == 0x57) {
        hdr += 1;
        return 0x86dd;
    }
    if (len < hdr + 2) return 0;
    const uint16_t proto = load_be16(p + hdr);
    hdr += 2;
    return proto == 0x0021 ? uint16_t{0x0800} : proto == 0x0057 ? uint16_t{0x86dd} : uint16_t{0};
}

DecodeStatus decode_gre_v1(DecodeContext& c, uint16_t flags, uint16_t proto, uint32_t off,
                           uint32_t len) noexcept {
    if (proto != kGreProtoPpp || (flags & kGreKey) == 0) {
        set_event(c.pv, DecodeEvent::kGreUnsupported);
        return DecodeStatus::kFlow;
    }
    // Key = payload length + call id; the call id differs per direction, so no tunnel id.
    const uint32_t hlen =
        kGreBaseLen + 4 + ((flags & kGreSeq) != 0 ? 4u : 0u) + ((flags & kGreAck) != 0 ? 4u : 0u);
    if (len < hlen) {
        set_event(c.pv, DecodeEvent::kGreTruncated);
        return DecodeStatus::kFlow;
    }
    uint32_t ppp_hdr = 0;
    const uint16_t inner = ppp_ip_ethertype(c.frame + off + hlen, len - hlen, ppp_hdr);
    if (inner == 0) return DecodeStatus::kFlow;
    if (!inner_fits(c, inner, off + hlen + ppp_hdr, len - hlen - ppp_hdr, DecodeEvent::kGreTruncated)) {
        return DecodeStatus::kFlow;
    }
    if (!enter_layer(c, off)) return DecodeStatus::kInvalid;
    enter_tunnel(c, TunnelType::kGre, 0);
    return decode_ppp(c, off + hlen, len - hlen);
}

bool decode_vxlan(DecodeContext& c, uint32_t off, uint32_t len, uint32_t claimed,
                  DecodeStatus& status) noexcept {
    if (claimed < kVxlanHeaderLen + kEthernetHeaderLen) return false;
    if (len < kVxlanHeaderLen + kEthernetHeaderLen) {
        set_event(c.pv, DecodeEvent::kVxlanTruncated);
        return false;
    }
    const uint8_t* p = c.frame + off;
    if ((p[0] & kVxlanFlagVni) == 0) return false;
    if (!enter_layer(c, off)) {
        status = DecodeStatus::kInvalid;
        return true;
    }
    enter_tunnel(c, TunnelType::kVxlan, load_be24(p + 4));
    status = decode_ethernet(c, off + kVxlanHeaderLen, len - kVxlanHeaderLen);
    return true;
}

bool decode_geneve(DecodeContext& c, uint32_t off, uint32_t len, uint32_t claimed,
                   DecodeStatus& status) noexcept {
    if (claimed < kGeneveBaseLen) return false;
    if (len < kGeneveBaseLen) {
        set_event(c.pv, DecodeEvent::kGeneveTruncated);
        return false;
    }
    const uint8_t* p = c.frame + off;
    if ((p[0] >> 6) != 0) return false;  // only version 0 exists
    const uint32_t hlen = kGeneveBaseLen + (p[0] & 0x3fu) * 4u;
    if (hlen > len) {
        set_event(c.pv, DecodeEvent::kGeneveTruncated);
        return false;
    }
    const uint16_t proto = load_be16(p + 2);
    if (!inner_fits(c, proto, off + hlen, len - hlen, DecodeEvent::kGeneveTruncated)) return false;
    if (!enter_layer(c, off)) {
        status = DecodeStatus::kInvalid;
        return true;
    }
    enter_tunnel(c, TunnelType::kGeneve, load_be24(p + 4));
    status = dispatch_ethertype(c, proto, off + hlen, len - hlen);
    return true;
}

// Teredo (RFC 4380): optional authentication and origin-indication headers, then IPv6. The
// port alone decides nothing: only a payload that reads as an IPv6 header of a length that
// fits the datagram is decapsulated.
bool decode_teredo(DecodeContext& c, uint32_t off, uint32_t len, uint32_t claimed,
                   DecodeStatus& status) noexcept {
    const uint8_t* p = c.frame + off;
    uint32_t hdr = 0;
    if (len >= 4 && load_be16(p) == 0x0001) {  // authentication
        hdr = kTeredoAuthFixedLen + p[2] + p[3];
    }
    if (len >= hdr + 2 && load_be16(p + hdr) == 0x0000) hdr += kTeredoOriginLen;  // origin indication
    if (claimed < hdr + kIpv6HeaderLen) return false;
    if (len < hdr + kIpv6HeaderLen) {
        set_event(c.pv, DecodeEvent::kTeredoTruncated);
        return false;
    }
    const uint8_t* ip6 = p + hdr;
    const uint32_t plen = load_be16(ip6 + 4);
    if ((ip6[0] >> 4) != 6 || kIpv6HeaderLen + plen > claimed - hdr) return false;
    // A bubble (no next header, no payload) only keeps the NAT mapping open: it carries no
    // inner packet, so it counts for the UDP flow of the tunnel, as tshark counts it.
    if (ip6[6] == 59 && plen == 0) return false;
    if (!enter_layer(c, off)) {
        status = DecodeStatus::kInvalid;
        return true;
    }
    enter_tunnel(c, TunnelType::kTeredo, 0);
    status = decode_ipv6(c, off + hdr, len - hdr);
    return true;
}
// GTP-U (3GPP TS 29.281): only G-PDUs (user data) are decapsulated; echo and error
// messages stay UDP. Inner IPv4 or IPv6 by version nibble.
bool decode_gtpu(DecodeContext& c, uint32_t off, uint32_t len, uint32_t claimed,
                 DecodeStatus& status) noexcept {
    if (claimed < kGtpHeaderLen) return false;
    if (len < kGtpHeaderLen) {
        set_event(c.pv, DecodeEvent::kGtpTruncated);
        return false;
    }
    const uint8_t* p = c.frame + off;
    if ((p[0] & 0xf0u) != 0x30u || p[1] != kGtpGpdu) return false;  // version 1, protocol type GTP
    uint32_t hdr = kGtpHeaderLen;
    if ((p[0] & 0x07u) != 0) {  // E, S or PN: the optional word is present
        hdr += kGtpOptionalLen;
        if (len < hdr) {
            set_event(c.pv, DecodeEvent::kGtpTruncated);
            return false;
        }
        uint8_t next = (p[0] & 0x04u) != 0 ? p[hdr - 1] : uint8_t{0};
        for (uint32_t n = 0; next != 0; ++n) {
            if (len < hdr + 1) {
                set_event(c.pv, DecodeEvent::kGtpTruncated);
                return false;
            }
            const uint32_t ext_len = p[hdr] * 4u;  // in 4-byte units, length and next-type included
            if (ext_len == 0 || n >= kMaxGtpExtensions) {
                set_event(c.pv, DecodeEvent::kTunnelInnerInvalid);
                return false;
            }
            if (len < hdr + ext_len) {
                set_event(c.pv, DecodeEvent::kGtpTruncated);
                return false;
            }
            next = p[hdr + ext_len - 1];
            hdr += ext_len;
        }
    }
    if (len <= hdr) {
        if (claimed > hdr) set_event(c.pv, DecodeEvent::kGtpTruncated);
        return false;
    }
    const unsigned version = p[hdr] >> 4;
    if (version != 4 && version != 6) return false;
    const uint16_t inner = version == 4 ? uint16_t{0x0800} : uint16_t{0x86dd};
    if (!inner_fits(c, inner, off + hdr, len - hdr, DecodeEvent::kGtpTruncated)) return false;
    if (!enter_layer(c, off)) {
        status = DecodeStatus::kInvalid;
        return true;
    }
    enter_tunnel(c, TunnelType::kGtpU, 0);
    status = dispatch_ethertype(c, inner, off + hdr, len - hdr);
    return true;
}
}  // namespace

DecodeStatus decode_gre(DecodeContext& c, uint32_t off, uint32_t len) noexcept {
    if (len < kGreBaseLen) {
        set_event(c.pv, DecodeEvent::kGreTruncated);
        return DecodeStatus::kFlow;
    }
    const uint8_t* p = c.frame + off;
    const uint16_t flags = load_be16(p);
    const uint16_t proto = load_be16(p + 2);
    const unsigned version = flags & 0x7u;
    if (version == 1) return decode_gre_v1(c, flags, proto, off, len);
    if (version != 0 || (flags & kGreRouting) != 0) {
        set_event(c.pv, DecodeEvent::kGreUnsupported);
        return DecodeStatus::kFlow;
    }
    const uint32_t key_off = kGreBaseLen + ((flags & kGreChecksum) != 0 ? 4u : 0u);
    const uint32_t hlen = key_off + ((flags & kGreKey) != 0 ? 4u : 0u) + ((flags & kGreSeq) != 0 ? 4u : 0u);
    if (len < hlen) {
        set_event(c.pv, DecodeEvent::kGreTruncated);
        return DecodeStatus::kFlow;
    }
    if (proto != 0x0800 && proto != 0x86dd && proto != 0x6558 && proto != 0x8847 && proto != 0x8848) {
        set_event(c.pv, DecodeEvent::kGreUnsupported);  // ERSPAN, WCCP, NVGRE variants, ...
        return DecodeStatus::kFlow;
    }
    if (!inner_fits(c, proto, off + hlen, len - hlen, DecodeEvent::kGreTruncated)) return DecodeStatus::kFlow;
    if (!enter_layer(c, off)) return DecodeStatus::kInvalid;
    enter_tunnel(c, TunnelType::kGre, (flags & kGreKey) != 0 ? load_be32(p + key_off) : 0);
    return dispatch_ethertype(c, proto, off + hlen, len - hlen);
}

DecodeStatus decode_ip_in_ip(DecodeContext& c, uint8_t proto, uint32_t off, uint32_t len) noexcept {
    const bool v4 = proto == 4;
    const uint16_t ethertype = v4 ? uint16_t{0x0800} : uint16_t{0x86dd};
    const DecodeEvent truncated = v4 ? DecodeEvent::kIpv4Truncated : DecodeEvent::kIpv6Truncated;
    if (!inner_fits(c, ethertype, off, len, truncated)) return DecodeStatus::kFlow;
    enter_tunnel(c, TunnelType::kIpInIp, 0);
    return dispatch_ethertype(c, ethertype, off, len);
}

bool decode_udp_tunnel(DecodeContext& c, uint16_t sport, uint16_t dport, uint32_t off, uint32_t len,
                       uint32_t claimed, DecodeStatus& status) noexcept {
    if (sport == kVxlanPort || dport == kVxlanPort) return decode_vxlan(c, off, len, claimed, status);
    if (sport == kGenevePort || dport == kGenevePort) return decode_geneve(c, off, len, claimed, status);
    if (sport == kTeredoPort || dport == kTeredoPort) return decode_teredo(c, off, len, claimed, status);
    if (sport == kGtpUPort || dport == kGtpUPort) return decode_gtpu(c, off, len, claimed, status);
    return false;
}

}  // namespace nms::decode::detail
