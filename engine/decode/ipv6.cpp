// IPv6 (RFC 8200) and its extension-header chain: hop-by-hop, routing, destination options,
// fragment and AH are skipped (each one a layer, at most kMaxExtHeaders of them) to reach the
// transport. ESP, no-next-header (59) and unknown values end the chain as the transport.
#include "decode/decode_context.hpp"

namespace nms::decode::detail {

namespace {
constexpr uint32_t kIpv6HeaderLen = 40;
constexpr uint32_t kFragmentHeaderLen = 8;
constexpr uint32_t kMaxExtHeaders = 8;

constexpr uint8_t kHopByHop = 0;
constexpr uint8_t kRouting = 43;
constexpr uint8_t kFragment = 44;
constexpr uint8_t kAuthHeader = 51;
constexpr uint8_t kDestOptions = 60;

bool is_extension_header(uint8_t nh) noexcept {
    return nh == kHopByHop || nh == kRouting || nh == kFragment || nh == kAuthHeader || nh == kDestOptions;
}
}  // namespace

DecodeStatus decode_ipv6(DecodeContext& c, uint32_t off, uint32_t len) noexcept {
    if (len < kIpv6HeaderLen) return invalid(c, DecodeEvent::kIpv6Truncated);
    if (!enter_layer(c, off)) return DecodeStatus::kInvalid;
    const uint8_t* p = c.frame + off;
    if ((p[0] >> 4) != 6) return invalid(c, DecodeEvent::kIpv6BadVersion);
    const uint32_t plen = load_be16(p + 4);
    uint8_t nh = p[6];

    uint32_t claimed = plen;
    if (plen == 0 && nh == kHopByHop) claimed = len - kIpv6HeaderLen;  // jumbogram (RFC 2675)
    uint32_t avail = claimed;
    if (claimed > len - kIpv6HeaderLen) {
        set_event(c.pv, DecodeEvent::kIpPayloadTruncated);
        avail = len - kIpv6HeaderLen;
    }

    PacketView& pv = c.pv;
    pv.l3 = L3::kIpv6;
    pv.l3_off = off16(off);
    pv.tos = static_cast<uint8_t>(load_be16(p) >> 4);
    pv.ttl = p[7];
    pv.src_ip = IpAddr::from_v6(p + 8);
    pv.dst_ip = IpAddr::from_v6(p + 24);
    pv.ip_payload_len = static_cast<uint16_t>(claimed > 0xffffu ? 0xffffu : claimed);
    // An outer header (tunnel) may have set these: the innermost IP packet owns them.
    pv.ip_id = 0;
    pv.ip_frag_id = 0;
    pv.ip_df = false;
    pv.is_fragment = false;
    pv.first_fragment = false;
    pv.frag_offset = 0;
    pv.src_port = 0;
    pv.dst_port = 0;

    uint32_t cur = off + kIpv6HeaderLen;
    for (uint32_t n = 0; is_extension_header(nh); ++n) {
        if (n >= kMaxExtHeaders) return invalid(c, DecodeEvent::kIpv6TooManyExtHeaders);
        if (avail < 2) return invalid(c, DecodeEvent::kIpv6ExtHeaderTruncated);
        const uint8_t* h = c.frame + cur;
        uint32_t hlen = 0;
        if (nh == kFragment) {
            hlen = kFragmentHeaderLen;
        } else if (nh == kAuthHeader) {
            hlen = (h[1] + 2u) * 4u;
        } else {
            hlen = (h[1] + 1u) * 8u;
        }
        if (hlen > avail) return invalid(c, DecodeEvent::kIpv6ExtHeaderTruncated);
        if (!enter_layer(c, cur)) return DecodeStatus::kInvalid;
        const uint8_t next = h[0];
        if (nh == kFragment) {
            const uint16_t fo = load_be16(h + 2);
            const uint32_t id = load_be32(h + 4);
            pv.ip_frag_id = id;
            pv.ip_id = static_cast<uint16_t>(id);
            pv.frag_offset = static_cast<uint16_t>(fo & 0xfff8u);
            pv.is_fragment = (fo & 0xfff9u) != 0;  // offset or M set; an atomic fragment is whole
            pv.first_fragment = pv.is_fragment && pv.frag_offset == 0;
            if (pv.frag_offset != 0) {
                pv.ip_proto = next;
                pv.l4_off = 0;
                pv.payload = ByteView{c.frame + cur + avail, 0};
                c.l4_claimed = claimed - hlen;
                return DecodeStatus::kFlow;
            }
        }
        cur += hlen;
        avail -= hlen;
        claimed -= hlen;
        nh = next;
    }
    c.l4_claimed = claimed;
    return dispatch_ip_proto(c, nh, cur, avail);
}

}  // namespace nms::decode::detail
