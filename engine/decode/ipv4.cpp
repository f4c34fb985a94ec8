// IPv4 (RFC 791). The transport gets the bytes the total length announces, clipped to what was
// captured, so Ethernet padding is never payload. Fragments: the first (offset 0) still
// carries the transport header and is decoded; later ones are flows with ports 0 and no L4.
// Checksums are not verified: offloading makes them wrong on the capturing host itself.
#include "decode/decode_context.hpp"

namespace nms::decode::detail {

namespace {
constexpr uint32_t kIpv4MinHeaderLen = 20;
constexpr uint16_t kFlagDf = 0x4000;
constexpr uint16_t kFlagMf = 0x2000;
constexpr uint16_t kOffsetMask = 0x1fff;

// Walks the options only to flag malformed ones (an evasion signal); nothing is kept.
bool options_valid(const uint8_t* p, uint32_t len) noexcept {
    uint32_t i = 0;
    while (i < len) {
        const uint8_t type = p[i];
        if (type == 0) return true;  // end of option list
        if (type == 1) {             // no-operation
            ++i;
            continue;
        }
        if (len - i < 2) return false;
        const uint8_t opt_len = p[i + 1];
        if (opt_len < 2 || opt_len > len - i) return false;
        i += opt_len;
    }
    return true;
}
}  // namespace

DecodeStatus decode_ipv4(DecodeContext& c, uint32_t off, uint32_t len) noexcept {
    if (len < kIpv4MinHeaderLen) return invalid(c, DecodeEvent::kIpv4Truncated);
    if (!enter_layer(c, off)) return DecodeStatus::kInvalid;
    const uint8_t* p = c.frame + off;
    if ((p[0] >> 4) != 4) return invalid(c, DecodeEvent::kIpv4BadVersion);
    const uint32_t hlen = (p[0] & 0x0fu) * 4u;
    if (hlen < kIpv4MinHeaderLen) return invalid(c, DecodeEvent::kIpv4BadHeaderLength);
    if (hlen > len) return invalid(c, DecodeEvent::kIpv4Truncated);

    uint32_t total = load_be16(p + 2);
    if (total == 0) {
        // Segmentation offload: the capturing host saw the packet before the NIC split it.
        set_event(c.pv, DecodeEvent::kIpv4BadTotalLength);
        total = len;
    } else if (total < hlen) {
        return invalid(c, DecodeEvent::kIpv4BadTotalLength);
    }
    uint32_t avail = total;
    if (total > len) {
        set_event(c.pv, DecodeEvent::kIpPayloadTruncated);
        avail = len;
    }
    if (hlen > kIpv4MinHeaderLen && !options_valid(p + kIpv4MinHeaderLen, hlen - kIpv4MinHeaderLen)) {
        set_event(c.pv, DecodeEvent::kIpv4OptionsInvalid);
    }

    PacketView& pv = c.pv;
    pv.l3 = L3::kIpv4;
    pv.l3_off = off16(off);
    pv.tos = p[1];
    pv.ip_id = load_be16(p + 4);
    pv.ip_frag_id = pv.ip_id;
    const uint16_t frag = load_be16(p + 6);
    pv.ip_df = (frag & kFlagDf) != 0;
    pv.frag_offset = static_cast<uint16_t>((frag & kOffsetMask) * 8u);
    pv.is_fragment = (frag & (kFlagMf | kOffsetMask)) != 0;
    pv.first_fragment = pv.is_fragment && pv.frag_offset == 0;
    pv.ttl = p[8];
    pv.src_ip = IpAddr::from_v4(p + 12);
    pv.dst_ip = IpAddr::from_v4(p + 16);
    pv.ip_payload_len = static_cast<uint16_t>(total - hlen > 0xffffu ? 0xffffu : total - hlen);
    pv.src_port = 0;  // an outer UDP header (tunnel) may have set them
    pv.dst_port = 0;
    c.l4_claimed = total - hlen;

    const uint8_t proto = p[9];
    if (pv.is_fragment && pv.frag_offset != 0) {
        // Non-first fragment: no transport header here; the flow layer maps it by fragment id.
        pv.ip_proto = proto;
        pv.l4_off = 0;
        pv.payload = ByteView{c.frame + off + avail, 0};
        return DecodeStatus::kFlow;
    }
    return dispatch_ip_proto(c, proto, off + hlen, avail - hlen);
}

}  // namespace nms::decode::detail
