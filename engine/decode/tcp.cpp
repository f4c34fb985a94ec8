// TCP (RFC 9293): ports, sequence numbers, flags, window and the options fingerprinting and
// RTT estimation use (MSS, window scale, SACK-permitted, SACK blocks, timestamps).
// Truncation: fewer than 4 bytes (no ports) is an invalid packet; with the ports but not the
// whole header the packet stays a flow carrying an event and no payload.
#include "decode/decode_context.hpp"

namespace nms::decode::detail {

namespace {
constexpr uint32_t kTcpMinHeaderLen = 20;
constexpr uint32_t kPortsLen = 4;

// Parses the option bytes; false at the first malformed option (what came before is kept).
bool parse_options(const uint8_t* p, uint32_t len, TcpOptions& o) noexcept {
    uint32_t i = 0;
    while (i < len) {
        const uint8_t kind = p[i];
        if (kind == 0) return true;  // end of option list
        if (kind == 1) {             // no-operation
            ++i;
            continue;
        }
        if (len - i < 2) return false;
        const uint8_t opt_len = p[i + 1];
        if (opt_len < 2 || opt_len > len - i) return false;
        const uint8_t* v = p + i + 2;
        switch (kind) {
            case 2:
                if (opt_len != 4) return false;
                o.mss = load_be16(v);
                break;
            case 3:
                if (opt_len != 3) return false;
                o.wscale = v[0];
                break;
            case 4:
                if (opt_len != 2) return false;
                o.sack_permitted = true;
                break;
            case 5:
                if ((opt_len - 2) % 8 != 0) return false;
                o.sack_blocks = static_cast<uint8_t>((opt_len - 2) / 8);
                break;
            case 8:
                if (opt_len != 10) return false;
                o.has_timestamp = true;
                o.ts_val = load_be32(v);
                o.ts_ecr = load_be32(v + 4);
                break;
            default:
                break;
        }
        i += opt_len;
    }
    return true;
}
}  // namespace

DecodeStatus decode_tcp(DecodeContext& c, uint32_t off, uint32_t len) noexcept {
    PacketView& pv = c.pv;
    if (len < kPortsLen) return invalid(c, DecodeEvent::kTcpTruncated);
    const uint8_t* p = c.frame + off;
    pv.src_port = load_be16(p);
    pv.dst_port = load_be16(p + 2);
    pv.payload = ByteView{c.frame + off + len, 0};
    if (len < kTcpMinHeaderLen) {
        set_event(pv, DecodeEvent::kTcpTruncated);
        return DecodeStatus::kFlow;
    }
    pv.tcp_seq = load_be32(p + 4);
    pv.tcp_ack = load_be32(p + 8);
    pv.tcp_flags = p[13];
    pv.tcp_window = load_be16(p + 14);

    const uint32_t hlen = (p[12] >> 4) * 4u;
    if (hlen < kTcpMinHeaderLen || hlen > c.l4_claimed) {
        set_event(pv, DecodeEvent::kTcpBadHeaderLength);
        return DecodeStatus::kFlow;
    }
    if (hlen > len) {
        set_event(pv, DecodeEvent::kTcpTruncated);
        return DecodeStatus::kFlow;
    }
    if (hlen > kTcpMinHeaderLen) {
        TcpOptions& o = pv.tcp_opts;
        o.options_off = off16(off + kTcpMinHeaderLen);
        o.options_len = static_cast<uint8_t>(hlen - kTcpMinHeaderLen);
        if (!parse_options(p + kTcpMinHeaderLen, hlen - kTcpMinHeaderLen, o)) {
            set_event(pv, DecodeEvent::kTcpOptionsInvalid);
        }
    }
    pv.payload = ByteView{p + hlen, len - hlen};
    return DecodeStatus::kFlow;
}

}  // namespace nms::decode::detail
