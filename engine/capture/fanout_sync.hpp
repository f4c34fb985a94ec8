#pragma once
// FanoutSync: shared by the K AF_PACKET sockets of one fanout group (Suricata's
// AFPSynchronizeStart). While the group forms the kernel hashes flows over fewer members, so
// the first packets of a flow can land on the wrong thread; members therefore discard every
// frame stamped before the moment the last member joined.
#include <atomic>
#include <cstdint>

#include "common/time.hpp"

namespace nms::capture {

class FanoutSync {
 public:
    explicit FanoutSync(uint32_t expected) noexcept : expected_(expected == 0 ? 1 : expected) {}

    // Called by a member right after its PACKET_FANOUT setsockopt succeeded (or failed: a
    // member that gives up must still be counted, or the others would wait forever).
    void join() noexcept {
        const uint32_t now_joined = joined_.fetch_add(1, std::memory_order_acq_rel) + 1;
        if (now_joined == expected_) {
            // Packet timestamps are CLOCK_REALTIME (skb tstamp); a frame stamped after this
            // instant was demultiplexed by the complete group.
            formed_at_ns_.store(wall_ns(), std::memory_order_release);
        }
    }
    // 0 until every member joined, then the wall-clock instant the group was complete.
    [[nodiscard]] TimestampNs formed_at_ns() const noexcept {
        return formed_at_ns_.load(std::memory_order_acquire);
    }
    [[nodiscard]] uint32_t joined() const noexcept { return joined_.load(std::memory_order_acquire); }
    [[nodiscard]] uint32_t expected() const noexcept { return expected_; }

 private:
    const uint32_t expected_;
    std::atomic<uint32_t> joined_{0};
    std::atomic<TimestampNs> formed_at_ns_{0};
};

}  // namespace nms::capture
