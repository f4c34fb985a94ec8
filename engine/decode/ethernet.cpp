// Ethernet II. Only the outermost Ethernet header fills the MAC fields: an inner one (VXLAN,
// GENEVE, GRE bridging) is decoded for its ethertype but keeps the capture's L2 identity.
#include <cstring>

#include "decode/decode_context.hpp"

namespace nms::decode::detail {

namespace {
constexpr uint32_t kEthernetHeaderLen = 14;
}

DecodeStatus decode_ethernet(DecodeContext& c, uint32_t off, uint32_t len) noexcept {
    if (len < kEthernetHeaderLen) return invalid(c, DecodeEvent::kEthernetTruncated);
    if (!enter_layer(c, off)) return DecodeStatus::kInvalid;
    const uint8_t* p = c.frame + off;
    PacketView& pv = c.pv;
    if (!pv.has_eth) {
        pv.has_eth = true;
        std::memcpy(pv.dst_mac, p, 6);
        std::memcpy(pv.src_mac, p + 6, 6);
    }
    return dispatch_ethertype(c, load_be16(p + 12), off + kEthernetHeaderLen, len - kEthernetHeaderLen);
}

}  // namespace nms::decode::detail
