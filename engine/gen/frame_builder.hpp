#pragma once
// Frame builder: Ethernet + IPv4/IPv6 + TCP/UDP/ICMP headers with correct lengths and
// checksums around a payload, padded to the 60-byte Ethernet minimum. Per packet: no
// allocation, writes into a caller buffer of at least kMaxFrame bytes.
#include <cstddef>
#include <cstdint>

#include "gen/endpoint.hpp"

namespace nms::gen {

inline constexpr size_t kMaxFrame = 1514 + 64;
inline constexpr uint16_t kEtherIpv4 = 0x0800;
inline constexpr uint16_t kEtherIpv6 = 0x86dd;
inline constexpr uint16_t kEtherArp = 0x0806;

struct L4Fields {
    uint8_t proto = 6;       // 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6
    uint8_t tcp_flags = 0;   // TCP flags, or ICMP type
    uint8_t icmp_code = 0;
    uint32_t seq = 0;        // TCP; ICMP echo: id << 16 | sequence
    uint32_t ack = 0;
    uint16_t window = 502;
    bool syn_options = false;  // MSS/SACK/WS options on SYN and SYN-ACK
    uint8_t ttl = 64;
    uint16_t ip_id = 0;
};

// Writes one IP frame into `out`; returns its length (>= 60).
size_t build_ip_frame(uint8_t* out, const Endpoint& src, const Endpoint& dst, const L4Fields& l4,
                      const uint8_t* payload, size_t payload_len) noexcept;

// Writes an Ethernet frame with a raw body (ARP); returns its length (>= 60).
size_t build_raw_frame(uint8_t* out, const uint8_t* dst_mac, const uint8_t* src_mac, uint16_t ethertype,
                       const uint8_t* body, size_t body_len) noexcept;

// Internet checksum helpers (RFC 1071), exposed for tests.
uint32_t checksum_add(uint32_t sum, const uint8_t* p, size_t n) noexcept;
uint16_t checksum_fold(uint32_t sum) noexcept;

}  // namespace nms::gen
