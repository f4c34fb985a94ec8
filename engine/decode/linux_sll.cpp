// Linux "cooked" captures (`tcpdump -i any`): SLL (16-byte header) and SLL2 (20 bytes). The
// protocol field is an ethertype, except for the small ETH_P_* values below 0x0600 (802.3,
// 802.2 LLC, CAN, ...) and netlink captures, which carry no IP.
#include "decode/decode_context.hpp"

namespace nms::decode::detail {

namespace {
constexpr uint32_t kSllHeaderLen = 16;
constexpr uint32_t kSll2HeaderLen = 20;
constexpr uint16_t kArphrdNetlink = 824;

DecodeStatus dispatch_cooked(DecodeContext& c, uint16_t arphrd, uint16_t protocol, uint32_t off,
                             uint32_t len) noexcept {
    if (arphrd == kArphrdNetlink) return non_ip(c, L3::kOther);
    return dispatch_ethertype(c, protocol, off, len);
}
}  // namespace

DecodeStatus decode_linux_sll(DecodeContext& c, uint32_t off, uint32_t len) noexcept {
    if (len < kSllHeaderLen) return invalid(c, DecodeEvent::kSllTruncated);
    if (!enter_layer(c, off)) return DecodeStatus::kInvalid;
    const uint8_t* p = c.frame + off;
    return dispatch_cooked(c, load_be16(p + 2), load_be16(p + 14), off + kSllHeaderLen, len - kSllHeaderLen);
}

DecodeStatus decode_linux_sll2(DecodeContext& c, uint32_t off, uint32_t len) noexcept {
    if (len < kSll2HeaderLen) return invalid(c, DecodeEvent::kSllTruncated);
    if (!enter_layer(c, off)) return DecodeStatus::kInvalid;
    const uint8_t* p = c.frame + off;
    return dispatch_cooked(c, load_be16(p + 8), load_be16(p), off + kSll2HeaderLen, len - kSll2HeaderLen);
}

}  // namespace nms::decode::detail
