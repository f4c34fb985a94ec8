#pragma once
// RelaxedCounter: a monotonic counter written by exactly one thread and read by others
// (the stats thread). The owner does load+store instead of a locked read-modify-write,
// which keeps the packet path free of lock-prefixed instructions and stays TSAN-clean.
#include <atomic>
#include <cstdint>

namespace nms {

class RelaxedCounter {
 public:
    void add(uint64_t n = 1) noexcept {
        v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    void set(uint64_t n) noexcept { v_.store(n, std::memory_order_relaxed); }
    [[nodiscard]] uint64_t get() const noexcept { return v_.load(std::memory_order_relaxed); }

 private:
    std::atomic<uint64_t> v_{0};
};

inline constexpr std::size_t kCacheLine = 64;

}  // namespace nms
