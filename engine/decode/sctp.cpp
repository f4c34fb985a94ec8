// SCTP (RFC 9260), minimal: the common header's ports make the flow; chunks are payload.
#include "decode/decode_context.hpp"

namespace nms::decode::detail {

namespace {
constexpr uint32_t kSctpHeaderLen = 12;
constexpr uint32_t kPortsLen = 4;
}  // namespace

DecodeStatus decode_sctp(DecodeContext& c, uint32_t off, uint32_t len) noexcept {
    PacketView& pv = c.pv;
    if (len < kPortsLen) return invalid(c, DecodeEvent::kSctpTruncated);
    const uint8_t* p = c.frame + off;
    pv.src_port = load_be16(p);
    pv.dst_port = load_be16(p + 2);
    if (len < kSctpHeaderLen) {
        set_event(pv, DecodeEvent::kSctpTruncated);
        pv.payload = ByteView{c.frame + off + len, 0};
        return DecodeStatus::kFlow;
    }
    pv.payload = ByteView{p + kSctpHeaderLen, len - kSctpHeaderLen};
    return DecodeStatus::kFlow;
}

}  // namespace nms::decode::detail
