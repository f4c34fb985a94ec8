#pragma once
// Keys of the detection tables (one host, a host pair, a host and a port) and their hashes.
// Hashes feed both table placement and HLL items, so they are well mixed (mix64).
#include <array>
#include <cstdint>
#include <cstring>

#include "common/ip_addr.hpp"
#include "detect/hyperloglog.hpp"

namespace nms::detect {

inline uint64_t ip_hash(const IpAddr& ip) noexcept {
    uint64_t w[2];
    std::memcpy(w, ip.bytes.data(), 16);
    return mix64(w[0] ^ mix64(w[1]));
}

struct HostKey {
    IpAddr ip;
    [[nodiscard]] uint64_t hash() const noexcept { return ip_hash(ip); }
    friend bool operator==(const HostKey&, const HostKey&) = default;
};

// An ordered pair: `a` acts on `b` (source -> victim).
struct PairKey {
    IpAddr a;
    IpAddr b;
    [[nodiscard]] uint64_t hash() const noexcept { return mix64(ip_hash(a) ^ (ip_hash(b) * 0x9e3779b97f4a7c15ULL)); }
    friend bool operator==(const PairKey&, const PairKey&) = default;
};

struct HostPortKey {
    IpAddr ip;
    uint16_t port = 0;
    [[nodiscard]] uint64_t hash() const noexcept { return mix64(ip_hash(ip) ^ port); }
    friend bool operator==(const HostPortKey&, const HostPortKey&) = default;
};

// A station by its link-layer address (ARP detectors).
struct MacKey {
    std::array<uint8_t, 6> mac{};
    [[nodiscard]] uint64_t hash() const noexcept {
        uint64_t v = 0;
        for (uint8_t b : mac) v = (v << 8) | b;
        return mix64(v);
    }
    friend bool operator==(const MacKey&, const MacKey&) = default;
};

struct KeyHasher {
    template <class K>
    size_t operator()(const K& k) const noexcept {
        return static_cast<size_t>(k.hash());
    }
};

}  // namespace nms::detect
