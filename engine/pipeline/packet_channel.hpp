#pragma once
// PacketChannel: one capture thread -> one worker. A boost::lockfree::spsc_queue of
// PacketRefs plus a slot arena with exactly one slot per ring position.
//
// Why no free-slot ring: the producer writes slot (pushed % capacity) only while
// write_available() > 0, and the consumer releases ring positions (consume_all advances
// the read index) only after it has processed their slots. So a slot is never rewritten
// while its packet is still being processed, without any extra synchronisation.
#include <boost/lockfree/spsc_queue.hpp>
#include <cstdint>
#include <cstring>
#include <memory>

#include "common/counter.hpp"
#include "decode/link_type.hpp"
#include "pipeline/packet_ref.hpp"

namespace nms::pipeline {

class PacketChannel {
 public:
    PacketChannel(uint32_t capacity, uint32_t slot_size, decode::LinkType link)
        : ring_(capacity), capacity_(capacity), slot_size_(slot_size), link_(link),
          arena_(std::make_unique<uint8_t[]>(size_t{capacity} * slot_size)) {
        // Touch the arena now so page faults happen at start-up, not on the packet path.
        std::memset(arena_.get(), 0, size_t{capacity} * slot_size);
    }
    PacketChannel(const PacketChannel&) = delete;
    PacketChannel& operator=(const PacketChannel&) = delete;

    // --- producer side (capture thread) ---
    [[nodiscard]] size_t write_available() const noexcept { return ring_.write_available(); }
    // Slot for the n-th packet after those already pushed (n < write_available()).
    [[nodiscard]] uint8_t* producer_slot(uint32_t n) noexcept {
        return slot((pushed_ + n) % capacity_);
    }
    // Publishes n refs whose bytes were written to producer_slot(0..n-1).
    void publish(const PacketRef* refs, uint32_t n) noexcept {
        const auto done = ring_.push(refs, n);
        pushed_ += done;  // == n: the caller checked write_available()
    }

    // --- consumer side (worker) ---
    // Calls f(ref, bytes) for every queued packet, then releases them all at once.
    template <class F>
    size_t consume(F&& f) noexcept {
        return ring_.consume_all([&](const PacketRef& r) {
            f(r, slot(popped_ % capacity_));
            ++popped_;
        });
    }
    [[nodiscard]] bool empty() const noexcept { return ring_.read_available() == 0; }

    [[nodiscard]] uint32_t capacity() const noexcept { return capacity_; }
    [[nodiscard]] uint32_t slot_size() const noexcept { return slot_size_; }
    [[nodiscard]] decode::LinkType link_type() const noexcept { return link_; }
    [[nodiscard]] size_t memory_bytes() const noexcept {
        return size_t{capacity_} * (slot_size_ + sizeof(PacketRef));
    }

    // Fill level for stats (approximate by nature; read from any thread).
    [[nodiscard]] size_t fill() const noexcept { return ring_.read_available(); }

 private:
    uint8_t* slot(uint64_t i) noexcept { return arena_.get() + i * slot_size_; }

    boost::lockfree::spsc_queue<PacketRef> ring_;
    const uint32_t capacity_;
    const uint32_t slot_size_;
    const decode::LinkType link_;
    std::unique_ptr<uint8_t[]> arena_;
    alignas(kCacheLine) uint64_t pushed_ = 0;  // producer only
    alignas(kCacheLine) uint64_t popped_ = 0;  // consumer only
};

}  // namespace nms::pipeline
