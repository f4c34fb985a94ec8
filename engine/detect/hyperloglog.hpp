#pragma once
// Hll<P>: a HyperLogLog distinct counter with 2^P one-byte registers (Flajolet et al. 2007,
// with the linear-counting correction for small sets from Heule et al. 2013). Fixed size,
// no allocation, so it lives inside per-worker table entries; two sketches of the same
// items merge by register-wise max, which is how the stats thread joins what every worker
// saw of one scanner (flows hash by 5-tuple, so its probes land on every worker).
//
// Error (relative standard error 1.04 / sqrt(2^P); tests/unit/detect/hyperloglog_test.cpp):
//   P = 6:  64 B, ~13 %   (but below ~2.5 * 64 = 160 items linear counting is used: a few %)
//   P = 7: 128 B, ~9.2 %
//   P = 8: 256 B, ~6.5 %
// Detection thresholds sit at tens to hundreds of distinct items, inside the linear-counting
// range of P = 6, so the per-key sketches use P = 6.
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>

namespace nms::detect {

// Mixes a 64-bit value into a well-distributed hash (MurmurHash3 fmix64): HLL needs uniform bits.
inline constexpr uint64_t mix64(uint64_t x) noexcept {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

template <unsigned P>
class Hll {
    static_assert(P >= 4 && P <= 12, "2^P registers");

 public:
    static constexpr uint32_t kRegisters = 1u << P;

    // `hash` must be uniformly distributed (mix64 of the item).
    void add_hash(uint64_t hash) noexcept {
        const auto idx = static_cast<uint32_t>(hash >> (64 - P));
        const uint64_t rest = (hash << P) | (uint64_t{1} << (P - 1));  // guard bit caps the rank
        const auto rank = static_cast<uint8_t>(std::countl_zero(rest) + 1);
        if (rank > reg_[idx]) reg_[idx] = rank;
    }
    void add(uint64_t item) noexcept { add_hash(mix64(item)); }

    void merge(const Hll& o) noexcept {
        for (uint32_t i = 0; i < kRegisters; ++i) reg_[i] = std::max(reg_[i], o.reg_[i]);
    }
    void clear() noexcept { reg_.fill(0); }
    [[nodiscard]] bool empty() const noexcept {
        return std::all_of(reg_.begin(), reg_.end(), [](uint8_t r) { return r == 0; });
    }

    [[nodiscard]] double estimate() const noexcept {
        constexpr double m = kRegisters;
        double sum = 0;
        uint32_t zeros = 0;
        for (uint8_t r : reg_) {
            sum += std::ldexp(1.0, -static_cast<int>(r));
            zeros += r == 0;
        }
        const double raw = alpha() * m * m / sum;
        if (raw <= 2.5 * m && zeros != 0) return m * std::log(m / zeros);  // linear counting
        return raw;
    }
    [[nodiscard]] uint64_t count() const noexcept { return static_cast<uint64_t>(std::llround(estimate())); }

 private:
    static constexpr double alpha() noexcept {
        if constexpr (kRegisters == 16) return 0.673;
        else if constexpr (kRegisters == 32) return 0.697;
        else if constexpr (kRegisters == 64) return 0.709;
        else return 0.7213 / (1.0 + 1.079 / kRegisters);
    }
    std::array<uint8_t, kRegisters> reg_{};
};

using SmallHll = Hll<6>;  // per-key sketches in worker and stats tables

}  // namespace nms::detect
