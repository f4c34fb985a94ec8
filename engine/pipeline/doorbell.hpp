#pragma once
// Doorbell: lets an idle worker sleep in the kernel instead of polling, without costing the
// capture thread a syscall per packet. The worker announces it is about to sleep; a producer
// that publishes a batch and sees the announcement rings (one futex wake per batch, and only
// while the worker sleeps). Fences on both sides make the classic lost-wake-up race
// impossible: either the worker sees the new batch, or the producer sees the sleeper.
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <ctime>

#include "common/counter.hpp"

namespace nms::pipeline {

class alignas(kCacheLine) Doorbell {
 public:
    // Producer side, after publishing.
    void ring() noexcept {
        std::atomic_thread_fence(std::memory_order_seq_cst);
        if (sleeping_.load(std::memory_order_relaxed) == 0) return;
        seq_.fetch_add(1, std::memory_order_relaxed);
        syscall(SYS_futex, &seq_, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
    }

    // Consumer side: sleeps up to timeout_ns unless has_work() turns true after the
    // announcement (checked once, after the fence).
    template <class HasWork>
    void sleep(uint64_t timeout_ns, HasWork&& has_work) noexcept {
        const uint32_t seq = seq_.load(std::memory_order_relaxed);
        sleeping_.store(1, std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_seq_cst);
        if (!has_work()) {
            timespec ts{static_cast<time_t>(timeout_ns / 1'000'000'000),
                        static_cast<long>(timeout_ns % 1'000'000'000)};
            syscall(SYS_futex, &seq_, FUTEX_WAIT_PRIVATE, seq, &ts, nullptr, 0);
        }
        sleeping_.store(0, std::memory_order_relaxed);
    }

 private:
    std::atomic<uint32_t> seq_{0};
    std::atomic<uint32_t> sleeping_{0};
};

}  // namespace nms::pipeline
