#pragma once
// Rng: the generator's only source of randomness (xoshiro256** seeded by SplitMix64), so a
// given --seed always yields the same bytes on every machine.
#include <cstdint>

namespace nms::gen {

class Rng {
 public:
    explicit Rng(uint64_t seed) noexcept {
        uint64_t x = seed;
        for (auto& s : s_) s = splitmix(x);
    }
    uint64_t next() noexcept {
        const uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    // Uniform in [0, n) (n > 0); Lemire's multiply-shift, bias negligible for our n.
    uint32_t below(uint32_t n) noexcept {
        return static_cast<uint32_t>((static_cast<uint64_t>(static_cast<uint32_t>(next() >> 32)) * n) >> 32);
    }
    uint32_t range(uint32_t lo, uint32_t hi) noexcept { return lo + below(hi - lo + 1); }  // inclusive
    double unit() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    bool chance(double p) noexcept { return unit() < p; }
    uint32_t u32() noexcept { return static_cast<uint32_t>(next() >> 32); }
    uint16_t u16() noexcept { return static_cast<uint16_t>(next() >> 48); }
    void fill(uint8_t* p, size_t n) noexcept {
        for (size_t i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(next() >> 56);
    }

 private:
    static uint64_t rotl(uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
    static uint64_t splitmix(uint64_t& x) noexcept {
        uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    uint64_t s_[4];
};

}  // namespace nms::gen
