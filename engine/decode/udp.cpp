// UDP (RFC 768). The payload is bounded by the UDP length (trailing bytes inside the IP packet
// are not datagram) and by what was captured. A well-formed datagram on a tunnel port is
// handed to the tunnel decoders, which keep it plain UDP unless the payload checks out.
#include "decode/decode_context.hpp"

namespace nms::decode::detail {

namespace {
constexpr uint32_t kUdpHeaderLen = 8;
constexpr uint32_t kPortsLen = 4;
}  // namespace

DecodeStatus decode_udp(DecodeContext& c, uint32_t off, uint32_t len) noexcept {
    PacketView& pv = c.pv;
    if (len < kPortsLen) return invalid(c, DecodeEvent::kUdpTruncated);
    const uint8_t* p = c.frame + off;
    pv.src_port = load_be16(p);
    pv.dst_port = load_be16(p + 2);
    pv.payload = ByteView{c.frame + off + len, 0};
    if (len < kUdpHeaderLen) {
        set_event(pv, DecodeEvent::kUdpTruncated);
        return DecodeStatus::kFlow;
    }
    const uint32_t udp_len = load_be16(p + 4);
    uint32_t avail = len - kUdpHeaderLen;
    if (pv.is_fragment) {
        // First fragment: the UDP length covers the whole datagram, only part of it is here;
        // a tunnel cannot be decapsulated from a part either.
        pv.payload = ByteView{p + kUdpHeaderLen, avail};
        if (udp_len < kUdpHeaderLen) set_event(pv, DecodeEvent::kUdpBadLength);
        return DecodeStatus::kFlow;
    }
    if (udp_len < kUdpHeaderLen || udp_len > c.l4_claimed) {
        set_event(pv, DecodeEvent::kUdpBadLength);
        pv.payload = ByteView{p + kUdpHeaderLen, avail};
        return DecodeStatus::kFlow;
    }
    const uint32_t claimed = udp_len - kUdpHeaderLen;
    if (claimed < avail) avail = claimed;
    pv.payload = ByteView{p + kUdpHeaderLen, avail};

    DecodeStatus inner = DecodeStatus::kFlow;
    if (decode_udp_tunnel(c, pv.src_port, pv.dst_port, off + kUdpHeaderLen, avail, claimed, inner))
        return inner;
    return DecodeStatus::kFlow;
}

}  // namespace nms::decode::detail
