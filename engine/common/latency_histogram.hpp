#pragma once
// LatencyHistogram: log-linear buckets (8 per power of two) over microseconds, so any
// percentile is known within ~9% with a fixed 1 KiB and O(1) recording. Mergeable by
// addition, which is how per-worker histograms become the global view.
#include <array>
#include <bit>
#include <cstdint>

namespace nms {

class LatencyHistogram {
 public:
    static constexpr int kSubBits = 3;                      // 8 sub-buckets per octave
    static constexpr int kBuckets = (40 - kSubBits + 1) << kSubBits;  // up to ~2^40 us

    void record(uint64_t us) noexcept {
        ++counts_[static_cast<size_t>(bucket_of(us))];
        ++total_;
        sum_us_ += us;
    }
    void merge(const LatencyHistogram& o) noexcept {
        for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += o.counts_[i];
        total_ += o.total_;
        sum_us_ += o.sum_us_;
    }
    [[nodiscard]] uint64_t count() const noexcept { return total_; }
    [[nodiscard]] double mean_us() const noexcept { return total_ ? static_cast<double>(sum_us_) / static_cast<double>(total_) : 0; }
    // Upper bound (us) of the bucket holding the p-th percentile (0 < p <= 100); 0 if empty.
    [[nodiscard]] uint64_t percentile(double p) const noexcept {
        if (total_ == 0) return 0;
        auto rank = static_cast<uint64_t>(static_cast<double>(total_) * p / 100.0 + 0.5);
        if (rank == 0) rank = 1;
        uint64_t seen = 0;
        for (int i = 0; i < kBuckets; ++i) {
            seen += counts_[static_cast<size_t>(i)];
            if (seen >= rank) return upper_of(i);
        }
        return upper_of(kBuckets - 1);
    }

    static int bucket_of(uint64_t us) noexcept {
        if (us < (1u << kSubBits)) return static_cast<int>(us);  // exact below 8 us
        const int msb = 63 - std::countl_zero(us);
        const int sub = static_cast<int>((us >> (msb - kSubBits)) & ((1u << kSubBits) - 1));
        const int b = ((msb - kSubBits + 1) << kSubBits) + sub;
        return b < kBuckets ? b : kBuckets - 1;
    }
    static uint64_t upper_of(int b) noexcept {
        if (b < (1 << kSubBits)) return static_cast<uint64_t>(b);
        const int octave = (b >> kSubBits) + kSubBits - 1;
        const uint64_t sub = static_cast<uint64_t>(b & ((1 << kSubBits) - 1));
        return ((uint64_t{1} << kSubBits | sub) + 1) << (octave - kSubBits);
    }

 private:
    std::array<uint32_t, kBuckets> counts_{};
    uint64_t total_ = 0;
    uint64_t sum_us_ = 0;
};

}  // namespace nms
