// 802.1Q (0x8100), 802.1ad (0x88a8) and the pre-standard QinQ 0x9100 tag: 2 bytes TCI, then
// the next ethertype. The first three ids are kept (outermost first); deeper stacks are still
// walked, each tag counting against the layer cap.
#include "decode/decode_context.hpp"

namespace nms::decode::detail {

namespace {
constexpr uint32_t kVlanTagLen = 4;
constexpr uint8_t kMaxVlanIds = sizeof(PacketView::vlan_ids) / sizeof(PacketView::vlan_ids[0]);
}  // namespace

DecodeStatus decode_vlan(DecodeContext& c, uint32_t off, uint32_t len) noexcept {
    if (len < kVlanTagLen) return invalid(c, DecodeEvent::kVlanTruncated);
    if (!enter_layer(c, off)) return DecodeStatus::kInvalid;
    const uint8_t* p = c.frame + off;
    PacketView& pv = c.pv;
    if (pv.vlan_count < kMaxVlanIds) {
        pv.vlan_ids[pv.vlan_count] = static_cast<uint16_t>(load_be16(p) & 0x0fffu);
        ++pv.vlan_count;
    }
    return dispatch_ethertype(c, load_be16(p + 2), off + kVlanTagLen, len - kVlanTagLen);
}

}  // namespace nms::decode::detail
