// MPLS label stack (0x8847 unicast, 0x8848 multicast): 4-byte entries up to the bottom-of-
// stack bit, then the payload is guessed as Suricata does: first nibble 4 = IPv4, 6 = IPv6,
// 0 = pseudowire control word followed by Ethernet. MPLS is a shim, not a tunnel: labels are
// per hop and differ by direction, so they never enter the FlowKey (only mpls_labels counts).
#include "decode/decode_context.hpp"

namespace nms::decode::detail {

namespace {
constexpr uint32_t kLabelLen = 4;
constexpr uint32_t kControlWordLen = 4;
constexpr uint32_t kBottomOfStack = 0x100;
}  // namespace

DecodeStatus decode_mpls(DecodeContext& c, uint32_t off, uint32_t len) noexcept {
    PacketView& pv = c.pv;
    for (;;) {
        if (len < kLabelLen) return invalid(c, DecodeEvent::kMplsTruncated);
        if (!enter_layer(c, off)) return DecodeStatus::kInvalid;
        const uint32_t entry = load_be32(c.frame + off);
        if (pv.mpls_labels < 0xff) ++pv.mpls_labels;
        off += kLabelLen;
        len -= kLabelLen;
        if ((entry & kBottomOfStack) != 0) break;
    }
    if (len < 1) return invalid(c, DecodeEvent::kMplsTruncated);
    switch (c.frame[off] >> 4) {
        case 4:
            return dispatch_ethertype(c, 0x0800, off, len);
        case 6:
            return dispatch_ethertype(c, 0x86dd, off, len);
        case 0:
            if (len < kControlWordLen) return invalid(c, DecodeEvent::kMplsTruncated);
            return decode_ethernet(c, off + kControlWordLen, len - kControlWordLen);
        default:
            set_event(pv, DecodeEvent::kMplsUnknownPayload);
            return non_ip(c, L3::kOther);
    }
}

}  // namespace nms::decode::detail
