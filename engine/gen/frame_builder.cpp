#include "gen/frame_builder.hpp"

#include <cstring>

namespace nms::gen {
namespace {

inline void put16(uint8_t* p, unsigned v) noexcept {
    p[0] = static_cast<uint8_t>(v >> 8);
    p[1] = static_cast<uint8_t>(v);
}
inline void put32(uint8_t* p, uint32_t v) noexcept {
    put16(p, v >> 16);
    put16(p + 2, v & 0xffff);
}

size_t pad_to_min(uint8_t* out, size_t len) noexcept {
    if (len >= 60) return len;
    std::memset(out + len, 0, 60 - len);
    return 60;
}

}  // namespace

uint32_t checksum_add(uint32_t sum, const uint8_t* p, size_t n) noexcept {
    // 64-bit accumulation of 32-bit words: a few times faster than 16-bit steps.
    uint64_t s = sum;
    while (n >= 4) {
        s += (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
             (static_cast<uint32_t>(p[2]) << 8) | p[3];
        p += 4;
        n -= 4;
    }
    if (n >= 2) {
        s += (static_cast<uint32_t>(p[0]) << 8) | p[1];
        p += 2;
        n -= 2;
    }
    if (n) s += static_cast<uint32_t>(p[0]) << 8;
    while (s >> 32) s = (s & 0xffffffffULL) + (s >> 32);
    return static_cast<uint32_t>(s);
}

uint16_t checksum_fold(uint32_t sum) noexcept {
    uint64_t s = sum;
    while (s >> 16) s = (s & 0xffff) + (s >> 16);
    return static_cast<uint16_t>(~s & 0xffff);
}

size_t build_raw_frame(uint8_t* out, const uint8_t* dst_mac, const uint8_t* src_mac, uint16_t ethertype,
                       const uint8_t* body, size_t body_len) noexcept {
    std::memcpy(out, dst_mac, 6);
    std::memcpy(out + 6, src_mac, 6);
    put16(out + 12, ethertype);
    std::memcpy(out + 14, body, body_len);
    return pad_to_min(out, 14 + body_len);
}

size_t build_ip_frame(uint8_t* out, const Endpoint& src, const Endpoint& dst, const L4Fields& l4,
                      const uint8_t* payload, size_t payload_len) noexcept {
    std::memcpy(out, dst.mac, 6);
    std::memcpy(out + 6, src.mac, 6);
    put16(out + 12, src.v6 ? kEtherIpv6 : kEtherIpv4);
    const size_t ip_len = src.v6 ? 40 : 20;
    uint8_t* ip = out + 14;
    uint8_t* l4p = ip + ip_len;

    size_t l4_hdr = 8;
    if (l4.proto == 6) {
        l4_hdr = l4.syn_options ? 32 : 20;
        put16(l4p, src.port);
        put16(l4p + 2, dst.port);
        put32(l4p + 4, l4.seq);
        put32(l4p + 8, l4.ack);
        l4p[12] = static_cast<uint8_t>((l4_hdr / 4) << 4);
        l4p[13] = l4.tcp_flags;
        put16(l4p + 14, l4.window);
        put16(l4p + 16, 0);
        put16(l4p + 18, 0);
        if (l4.syn_options) {
            // MSS 1460, NOP, WS 7, NOP, NOP, SACK permitted
            const uint8_t opts[12] = {2, 4, 0x05, 0xb4, 1, 3, 3, 7, 1, 1, 4, 2};
            std::memcpy(l4p + 20, opts, sizeof opts);
        }
    } else if (l4.proto == 17) {
        put16(l4p, src.port);
        put16(l4p + 2, dst.port);
        put16(l4p + 4, static_cast<unsigned>(8 + payload_len));
        put16(l4p + 6, 0);
    } else {  // ICMP / ICMPv6 echo and friends
        l4p[0] = l4.tcp_flags;
        l4p[1] = l4.icmp_code;
        put16(l4p + 2, 0);
        put32(l4p + 4, l4.seq);
    }
    std::memcpy(l4p + l4_hdr, payload, payload_len);
    const size_t l4_total = l4_hdr + payload_len;

    if (src.v6) {
        put32(ip, 0x60000000u);
        put16(ip + 4, static_cast<unsigned>(l4_total));
        ip[6] = l4.proto;
        ip[7] = l4.ttl;
        std::memcpy(ip + 8, src.ip, 16);
        std::memcpy(ip + 24, dst.ip, 16);
    } else {
        ip[0] = 0x45;
        ip[1] = 0;
        put16(ip + 2, static_cast<unsigned>(20 + l4_total));
        put16(ip + 4, l4.ip_id);
        put16(ip + 6, 0x4000);  // DF
        ip[8] = l4.ttl;
        ip[9] = l4.proto;
        put16(ip + 10, 0);
        std::memcpy(ip + 12, src.ip, 4);
        std::memcpy(ip + 16, dst.ip, 4);
        put16(ip + 10, checksum_fold(checksum_add(0, ip, 20)));
    }

    if (l4.proto != 1) {  // TCP, UDP and ICMPv6 checksums cover a pseudo-header
        const size_t alen = src.v6 ? 16 : 4;
        uint32_t sum = checksum_add(0, src.ip, alen);
        sum = checksum_add(sum, dst.ip, alen);
        sum += l4.proto;
        sum += static_cast<uint32_t>(l4_total);
        sum = checksum_add(sum, l4p, l4_total);
        uint16_t c = checksum_fold(sum);
        if (l4.proto == 17 && c == 0) c = 0xffff;
        const size_t at = l4.proto == 6 ? 16 : (l4.proto == 17 ? 6 : 2);
        put16(l4p + at, c);
    } else {
        put16(l4p + 2, checksum_fold(checksum_add(0, l4p, l4_total)));
    }
    return pad_to_min(out, 14 + ip_len + l4_total);
}

}  // namespace nms::gen
