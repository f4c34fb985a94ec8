#pragma once
// Endpoint: one side of a generated conversation (MAC, IPv4 or IPv6 address, port), and the
// address plan: everything lives in the benchmarking ranges (RFC 2544 198.18.0.0/15, RFC 5180
// 2001:2::/48) with locally administered MACs.
//   198.18.0.0/16   local LAN (gateway/DNS/DHCP 198.18.0.1, hosts from 198.18.0.10)
//   198.19.0.0/16   "internet" servers and scanners
//   2001:2:0:1::/64 local LAN (gateway 2001:2:0:1::1),  2001:2:0:8000::/49 "internet"
#include <cstdint>
#include <cstring>

namespace nms::gen {

struct Endpoint {
    uint8_t mac[6]{};
    bool v6 = false;
    uint8_t ip[16]{};   // IPv4 in the first 4 bytes
    uint16_t port = 0;
};

inline constexpr uint8_t kGatewayMac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
inline constexpr uint8_t kBroadcastMac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

// Local host i (0-based) of the LAN: 198.18.(i+10 >> 8).(i+10 & 255), MAC 02:00:c6:12:xx:xx.
inline Endpoint local_host(uint32_t i, bool v6) noexcept {
    Endpoint e;
    const uint32_t n = i + 10;
    const uint8_t hi = static_cast<uint8_t>(n >> 8), lo = static_cast<uint8_t>(n);
    const uint8_t mac[6] = {0x02, 0x00, 0xc6, 0x12, hi, lo};
    std::memcpy(e.mac, mac, 6);
    e.v6 = v6;
    if (v6) {
        const uint8_t a[16] = {0x20, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, hi, lo};
        std::memcpy(e.ip, a, 16);
    } else {
        const uint8_t a[4] = {198, 18, hi, lo};
        std::memcpy(e.ip, a, 4);
    }
    return e;
}

// The LAN gateway: also the DNS resolver and DHCP server.
inline Endpoint gateway(bool v6) noexcept {
    Endpoint e;
    std::memcpy(e.mac, kGatewayMac, 6);
    e.v6 = v6;
    if (v6) {
        const uint8_t a[16] = {0x20, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1};
        std::memcpy(e.ip, a, 16);
    } else {
        const uint8_t a[4] = {198, 18, 0, 1};
        std::memcpy(e.ip, a, 4);
    }
    return e;
}

// External host i, seen on the LAN behind the gateway's MAC: 198.19.x.y / 2001:2:0:8000::x:y.
inline Endpoint external_host(uint32_t i, bool v6) noexcept {
    Endpoint e;
    const uint32_t n = i + 1;
    const uint8_t hi = static_cast<uint8_t>(n >> 8), lo = static_cast<uint8_t>(n);
    std::memcpy(e.mac, kGatewayMac, 6);
    e.v6 = v6;
    if (v6) {
        const uint8_t a[16] = {0x20, 0x01, 0x00, 0x02, 0x00, 0x00, 0x80, 0x00, 0, 0, 0, 0, 0, 0, hi, lo};
        std::memcpy(e.ip, a, 16);
    } else {
        const uint8_t a[4] = {198, 19, hi, lo};
        std::memcpy(e.ip, a, 4);
    }
    return e;
}

inline Endpoint with_port(Endpoint e, uint16_t port) noexcept {
    e.port = port;
    return e;
}

}  // namespace nms::gen
