// Headerless and loopback link types: LINKTYPE_NULL (4-byte address family in the capturing
// host's byte order), LINKTYPE_LOOP (the same in network order) and raw IP (version nibble).
#include "decode/decode_context.hpp"

namespace nms::decode::detail {

namespace {
constexpr uint32_t kFamilyLen = 4;

// BSD AF_INET6 differs by OS: 24 NetBSD/OpenBSD, 28 FreeBSD, 30 macOS; 10 Linux, 23 Windows.
DecodeStatus dispatch_family(DecodeContext& c, uint32_t family, uint32_t off, uint32_t len) noexcept {
    switch (family) {
        case 2:
            return dispatch_ethertype(c, 0x0800, off, len);
        case 10:
        case 23:
        case 24:
        case 28:
        case 30:
            return dispatch_ethertype(c, 0x86dd, off, len);
        default:
            return non_ip(c, L3::kOther);
    }
}
}  // namespace

DecodeStatus decode_null(DecodeContext& c, uint32_t off, uint32_t len) noexcept {
    if (len < kFamilyLen) return invalid(c, DecodeEvent::kNullTruncated);
    if (!enter_layer(c, off)) return DecodeStatus::kInvalid;
    // Host order of an unknown host: a family is a small number, so a value with its low
    // half zero was written big-endian.
    uint32_t family = load_le32(c.frame + off);
    if ((family & 0xffffu) == 0) family = load_be32(c.frame + off);
    return dispatch_family(c, family, off + kFamilyLen, len - kFamilyLen);
}

DecodeStatus decode_loop(DecodeContext& c, uint32_t off, uint32_t len) noexcept {
    if (len < kFamilyLen) return invalid(c, DecodeEvent::kNullTruncated);
    if (!enter_layer(c, off)) return DecodeStatus::kInvalid;
    return dispatch_family(c, load_be32(c.frame + off), off + kFamilyLen, len - kFamilyLen);
}

DecodeStatus decode_raw_ip(DecodeContext& c, uint32_t off, uint32_t len) noexcept {
    // len > 0: decode_packet rejects empty frames.
    if ((c.frame[off] >> 4) == 6) return dispatch_ethertype(c, 0x86dd, off, len);
    return dispatch_ethertype(c, 0x0800, off, len);  // anything else fails the IPv4 version check
}

}  // namespace nms::decode::detail
