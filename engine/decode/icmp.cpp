// ICMP (RFC 792) and ICMPv6 (RFC 4443): type, code and, for echo, the identifier. Error
// messages quote the offending packet's headers; those are never decoded as a flow (tshark
// does not count them either), they stay in the payload.
// The flow key of both has ports 0/0 so an echo request and its reply form one flow.
#include "decode/decode_context.hpp"

namespace nms::decode::detail {

namespace {
constexpr uint32_t kIcmpMinLen = 4;  // type, code, checksum
constexpr uint32_t kIcmpHeaderLen = 8;

DecodeStatus decode_icmp_common(DecodeContext& c, uint32_t off, uint32_t len, DecodeEvent truncated,
                                uint8_t echo_request, uint8_t echo_reply) noexcept {
    PacketView& pv = c.pv;
    if (len < kIcmpMinLen) return invalid(c, truncated);
    const uint8_t* p = c.frame + off;
    pv.icmp_type = p[0];
    pv.icmp_code = p[1];
    pv.src_port = 0;
    pv.dst_port = 0;
    if (len < kIcmpHeaderLen) {
        set_event(pv, truncated);
        pv.payload = ByteView{c.frame + off + len, 0};
        return DecodeStatus::kFlow;
    }
    if (p[0] == echo_request || p[0] == echo_reply) pv.icmp_id = load_be16(p + 4);
    pv.payload = ByteView{p + kIcmpHeaderLen, len - kIcmpHeaderLen};
    return DecodeStatus::kFlow;
}
}  // namespace

DecodeStatus decode_icmp(DecodeContext& c, uint32_t off, uint32_t len) noexcept {
    return decode_icmp_common(c, off, len, DecodeEvent::kIcmpTruncated, 8, 0);
}

DecodeStatus decode_icmpv6(DecodeContext& c, uint32_t off, uint32_t len) noexcept {
    return decode_icmp_common(c, off, len, DecodeEvent::kIcmpv6Truncated, 128, 129);
}

}  // namespace nms::decode::detail
