#pragma once
// FlowKey: canonical bidirectional key. The lower (address, port) endpoint is stored first,
// so A->B and B->A produce the same key and the same hash; `swapped` on the packet tells
// which way it went.
#include <cstdint>
#include <cstring>

#include "common/ip_addr.hpp"

namespace nms::decode {

struct FlowKey {
    IpAddr addr_lo;          // canonical lower endpoint
    IpAddr addr_hi;
    uint16_t port_lo = 0;    // ports, or ICMP id / 0 for other protocols
    uint16_t port_hi = 0;
    uint16_t vlan = 0;       // outermost 802.1Q id, 0 when untagged
    uint8_t proto = 0;       // IP protocol number of the innermost transport
    uint8_t tunnel_type = 0; // TunnelType of the outermost decapsulated tunnel, 0 = none
    uint32_t tunnel_id = 0;  // VNI / GRE key, when the tunnel has one
    uint32_t reserved = 0;   // explicit tail padding: no indeterminate bytes for memcmp/hash

    friend bool operator==(const FlowKey& a, const FlowKey& b) noexcept {
        return std::memcmp(&a, &b, sizeof(FlowKey)) == 0;
    }
};
static_assert(sizeof(FlowKey) == 48, "FlowKey must stay packed: it is compared with memcmp");

// 64-bit hash of a canonical key (wyhash-style mixing, no allocation). Symmetric because the
// key itself is canonical.
inline uint64_t flow_hash(const FlowKey& k) noexcept {
    auto mix = [](uint64_t a, uint64_t b) noexcept {
        __uint128_t r = static_cast<__uint128_t>(a ^ 0xa0761d6478bd642fULL) * (b ^ 0xe7037ed1a0b428dbULL);
        return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
    };
    uint64_t w[6];
    std::memcpy(w, &k, sizeof w);
    uint64_t h = mix(w[0], w[1]);
    h = mix(h ^ w[2], w[3]);
    h = mix(h ^ w[4], w[5]);
    return mix(h, 0x8ebc6af09c88c6e3ULL);
}

}  // namespace nms::decode
