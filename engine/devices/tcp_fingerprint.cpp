#include "devices/tcp_fingerprint.hpp"

#include "common/bytes.hpp"

namespace nms::devices {

uint8_t guess_ittl(uint8_t ttl) noexcept {
    if (ttl <= 32) return 32;
    if (ttl <= 64) return 64;
    if (ttl <= 128) return 128;
    return 255;
}

bool compute_tcp_sig(const decode::PacketView& pkt, TcpSig& out) noexcept {
    using namespace decode;
    if (pkt.status != DecodeStatus::kFlow || !pkt.is_tcp() || !(pkt.tcp_flags & kTcpSyn)) return false;
    if (pkt.tcp_flags & (kTcpRst | kTcpFin)) return false;
    if (pkt.l4_off + 20u > pkt.caplen || pkt.l3_off >= pkt.caplen) return false;
    out = TcpSig{};
    out.response = (pkt.tcp_flags & kTcpAck) != 0;
    out.ttl = pkt.ttl;
    out.win = pkt.tcp_window;
    const uint8_t* ip = pkt.data + pkt.l3_off;
    const uint8_t* tcp = pkt.data + pkt.l4_off;
    if (pkt.l3 == L3::kIpv4) {
        if (pkt.l3_off + 20u > pkt.caplen) return false;
        out.ip_ver = 4;
        const uint32_t ihl = (ip[0] & 0x0fu) * 4u;
        out.olen = static_cast<uint8_t>(ihl > 20 ? ihl - 20 : 0);
        const uint8_t flags = ip[6];
        if (flags & 0x80) out.quirks |= kQuirkNzMbz;
        if (flags & 0x40) {
            out.quirks |= kQuirkDf;
            if (pkt.ip_id) out.quirks |= kQuirkNzId;
        } else if (pkt.ip_id == 0) {
            out.quirks |= kQuirkZeroId;
        }
        if (pkt.tos & 0x03) out.quirks |= kQuirkEcn;
    } else if (pkt.l3 == L3::kIpv6) {
        if (pkt.l3_off + 40u > pkt.caplen) return false;
        out.ip_ver = 6;
        if (((ip[1] & 0x0fu) | ip[2] | ip[3]) != 0) out.quirks |= kQuirkFlow;
        if (pkt.tos & 0x03) out.quirks |= kQuirkEcn;
    } else {
        return false;
    }
    const uint8_t tflags = tcp[13];
    if (tflags & (kTcpEce | kTcpCwr) || (tcp[12] & 0x01)) out.quirks |= kQuirkEcn;
    if (pkt.tcp_seq == 0) out.quirks |= kQuirkZeroSeq;
    if (tflags & kTcpAck) {
        if (pkt.tcp_ack == 0) out.quirks |= kQuirkZeroAck;
    } else if (pkt.tcp_ack != 0) {
        out.quirks |= kQuirkNzAck;
    }
    if (tflags & kTcpUrg) out.quirks |= kQuirkUrg;
    else if (load_be16(tcp + 18) != 0) out.quirks |= kQuirkNzUrg;
    if (tflags & kTcpPsh) out.quirks |= kQuirkPush;
    const uint32_t doff = (tcp[12] >> 4) * 4u;
    out.tot_hdr = static_cast<uint16_t>(pkt.l4_off - pkt.l3_off + doff);
    out.pclass = pkt.payload.empty() ? 0 : 1;

    // Options: the decoder recorded where they are; walk them again for the layout.
    uint32_t off = pkt.tcp_opts.options_off, end = off + pkt.tcp_opts.options_len;
    if (pkt.tcp_opts.options_len == 0) off = end = 0;
    if (end > pkt.caplen) end = pkt.caplen;
    const uint8_t* d = pkt.data;
    while (off < end) {
        const uint8_t kind = d[off];
        if (out.layout_len >= TcpSig::kMaxLayout) {
            out.quirks |= kQuirkOptBad;
            break;
        }
        out.layout[out.layout_len++] = kind;
        if (kind == kOptEol) {
            ++off;
            out.eol_pad = static_cast<uint8_t>(end - off);
            for (uint32_t i = off; i < end; ++i)
                if (d[i]) out.quirks |= kQuirkOptEolNz;
            break;
        }
        if (kind == kOptNop) {
            ++off;
            continue;
        }
        if (off + 1 >= end) {
            out.quirks |= kQuirkOptBad;
            break;
        }
        const uint8_t len = d[off + 1];
        if (len < 2 || off + len > end) {
            out.quirks |= kQuirkOptBad;
            break;
        }
        const uint8_t* o = d + off;
        switch (kind) {
            case kOptMss:
                if (len != 4) out.quirks |= kQuirkOptBad;
                else out.mss = load_be16(o + 2);
                break;
            case kOptWs:
                if (len != 3) {
                    out.quirks |= kQuirkOptBad;
                } else {
                    out.wscale = o[2];
                    if (o[2] > 14) out.quirks |= kQuirkOptExws;
                }
                break;
            case kOptSok:
                if (len != 2) out.quirks |= kQuirkOptBad;
                break;
            case kOptTs:
                if (len != 10) {
                    out.quirks |= kQuirkOptBad;
                } else {
                    const uint32_t ts1 = load_be32(o + 2), ts2 = load_be32(o + 6);
                    if (ts1 == 0) out.quirks |= kQuirkOptZeroTs1;
                    out.ts1_nonzero = ts1 != 0;
                    if (ts2 != 0 && !out.response) out.quirks |= kQuirkOptNzTs2;
                }
                break;
            default:
                break;
        }
        off += len;
    }
    return true;
}

namespace {

void append_quirks(std::string& s, uint32_t q) {
    static constexpr const char* kNames[] = {"df", "id+", "id-", "ecn", "0+", "flow", "seq-", "ack+", "ack-",
                                             "uptr+", "urgf+", "pushf+", "ts1-", "ts2+", "opt+", "exws", "bad"};
    bool first = true;
    for (size_t i = 0; i < sizeof kNames / sizeof kNames[0]; ++i) {
        if (!(q & (1u << i))) continue;
        if (!first) s += ',';
        s += kNames[i];
        first = false;
    }
}

}  // namespace

std::string tcp_sig_to_string(const TcpSig& s) {
    std::string out = std::to_string(s.ip_ver) + ":" + std::to_string(guess_ittl(s.ttl)) + ":" +
                      std::to_string(s.olen) + ":" + std::to_string(s.mss) + ":";
    // Window as p0f would suggest it: a multiple of the MSS when it divides exactly.
    if (s.mss > 0 && s.win && s.win % s.mss == 0) out += "mss*" + std::to_string(s.win / s.mss);
    else out += std::to_string(s.win);
    out += "," + std::to_string(s.wscale) + ":";
    for (uint8_t i = 0; i < s.layout_len; ++i) {
        if (i) out += ',';
        switch (s.layout[i]) {
            case kOptEol: out += "eol+" + std::to_string(s.eol_pad); break;
            case kOptNop: out += "nop"; break;
            case kOptMss: out += "mss"; break;
            case kOptWs: out += "ws"; break;
            case kOptSok: out += "sok"; break;
            case kOptSack: out += "sack"; break;
            case kOptTs: out += "ts"; break;
            default: out += "?" + std::to_string(s.layout[i]); break;
        }
    }
    out += ":";
    append_quirks(out, s.quirks);
    out += s.pclass ? ":+" : ":0";
    return out;
}

}  // namespace nms::devices
