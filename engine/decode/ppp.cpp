// PPP: the LINKTYPE_PPP / PPP_HDLC link types, the payload of a PPPoE session (0x8864) and of
// enhanced GRE (PPTP). Address/control (ff 03) is optional and the protocol field may be
// compressed to one byte (RFC 1661 PFC: an odd first byte). Control protocols (LCP, IPCP,
// CHAP, ...) are valid non-IP frames.
#include "decode/decode_context.hpp"

namespace nms::decode::detail {

namespace {
constexpr uint32_t kPppoeHeaderLen = 6;
constexpr uint32_t kCiscoHdlcHeaderLen = 4;
}  // namespace

DecodeStatus decode_ppp(DecodeContext& c, uint32_t off, uint32_t len) noexcept {
    if (len < 1) return invalid(c, DecodeEvent::kPppTruncated);
    if (!enter_layer(c, off)) return DecodeStatus::kInvalid;
    const uint8_t* p = c.frame + off;
    if (p[0] == 0x0f || p[0] == 0x8f) {  // Cisco HDLC under the PPP_HDLC link type
        if (len < kCiscoHdlcHeaderLen) return invalid(c, DecodeEvent::kPppTruncated);
        return dispatch_ethertype(c, load_be16(p + 2), off + kCiscoHdlcHeaderLen, len - kCiscoHdlcHeaderLen);
    }
    uint32_t hdr = 0;
    if (len >= 2 && p[0] == 0xff && p[1] == 0x03) hdr = 2;
    if (len < hdr + 1) return invalid(c, DecodeEvent::kPppTruncated);
    uint16_t protocol = p[hdr];
    if ((protocol & 1u) != 0) {
        hdr += 1;
    } else {
        if (len < hdr + 2) return invalid(c, DecodeEvent::kPppTruncated);
        protocol = load_be16(p + hdr);
        hdr += 2;
    }
    switch (protocol) {
        case 0x0021:
            return dispatch_ethertype(c, 0x0800, off + hdr, len - hdr);
        case 0x0057:
            return dispatch_ethertype(c, 0x86dd, off + hdr, len - hdr);
        case 0x0281:
            return dispatch_ethertype(c, 0x8847, off + hdr, len - hdr);
        case 0x0283:
            return dispatch_ethertype(c, 0x8848, off + hdr, len - hdr);
        default:
            return non_ip(c, L3::kOther);
    }
}

DecodeStatus decode_pppoe_session(DecodeContext& c, uint32_t off, uint32_t len) noexcept {
    if (len < kPppoeHeaderLen) return invalid(c, DecodeEvent::kPppTruncated);
    if (!enter_layer(c, off)) return DecodeStatus::kInvalid;
    // The PPPoE length covers the PPP frame; Ethernet padding beyond it is not PPP.
    const uint32_t claimed = load_be16(c.frame + off + 4);
    uint32_t ppp_len = len - kPppoeHeaderLen;
    if (claimed < ppp_len) ppp_len = claimed;
    return decode_ppp(c, off + kPppoeHeaderLen, ppp_len);
}

}  // namespace nms::decode::detail
