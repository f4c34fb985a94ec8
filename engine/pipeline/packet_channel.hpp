#pragma once
// PacketChannel: one capture thread -> one worker. A boost::lockfree::spsc_queue of
// PacketRefs plus a byte arena where frames are stored back to back (64-byte aligned), so a
// 64-byte frame costs 64 bytes of buffer and a full-size one ~1.5 KiB.
//
// The arena is a FIFO like the ring: the producer appends at its head (wrapping to 0 when a
// frame does not fit before the end), the consumer gives bytes back in order, after it has
// processed them, by publishing how far it got (released_). Refs and bytes are freed
// separately, so the consumer may pop refs in batches and still keep their bytes alive.
#include <boost/lockfree/spsc_queue.hpp>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>

#include "common/counter.hpp"
#include "decode/link_type.hpp"
#include "pipeline/doorbell.hpp"
#include "pipeline/packet_ref.hpp"

namespace nms::pipeline {

class PacketChannel {
 public:
    static constexpr uint32_t kAlign = 64;

    PacketChannel(uint32_t ring_refs, size_t arena_bytes, decode::LinkType link, Doorbell* doorbell = nullptr)
        : ring_(ring_refs),
          ring_refs_(ring_refs),
          arena_size_(arena_bytes / kAlign * kAlign),
          link_(link),
          doorbell_(doorbell),
          arena_(static_cast<uint8_t*>(std::aligned_alloc(kAlign, arena_size_))) {
        if (!arena_) throw std::bad_alloc();
        // Touch the arena now so page faults happen at start-up, not on the packet path.
        std::memset(arena_.get(), 0, arena_size_);
    }
    PacketChannel(const PacketChannel&) = delete;
    PacketChannel& operator=(const PacketChannel&) = delete;

    // --- producer side (capture thread) ---
    // Reserves room for one frame of `len` bytes after earlier reservations of this batch;
    // returns its arena offset, or -1 when refs or bytes are short (the caller drops or
    // waits). `pending_refs` = refs already reserved in this batch.
    int64_t reserve(uint32_t len, uint32_t pending_refs) noexcept {
        if (pending_refs >= refs_room_ && (refs_room_ = ring_.write_available()) <= pending_refs) return -1;
        const uint64_t need = (uint64_t{len} + kAlign - 1) / kAlign * kAlign;
        uint64_t pos = head_ % arena_size_;
        uint64_t skip = pos + need > arena_size_ ? arena_size_ - pos : 0;  // wrap: waste the tail
        if (head_ + skip + need - released_cache_ > arena_size_) {
            released_cache_ = released_.load(std::memory_order_acquire);
            if (head_ + skip + need - released_cache_ > arena_size_) return -1;
        }
        head_ += skip;
        pos = head_ % arena_size_;
        head_ += need;
        return static_cast<int64_t>(pos);
    }
    [[nodiscard]] uint8_t* bytes(uint32_t offset) noexcept { return arena_.get() + offset; }
    // Arena bytes written but not yet given back by the consumer (producer thread only).
    [[nodiscard]] uint64_t bytes_in_flight() const noexcept { return head_ - released_.load(std::memory_order_acquire); }
    // Publishes n refs (all reserved since the last publish) and wakes a sleeping worker.
    void publish(const PacketRef* refs, uint32_t n) noexcept {
        ring_.push(refs, n);  // never short: reserve() checked write_available()
        refs_room_ -= n;
        if (doorbell_) doorbell_->ring();
    }

    // --- consumer side (worker) ---
    // Pops up to n refs; their bytes stay valid until release() is called.
    size_t pop(PacketRef* out, size_t n) noexcept { return ring_.pop(out, n); }
    [[nodiscard]] const uint8_t* bytes(uint32_t offset) const noexcept { return arena_.get() + offset; }
    // Gives back the bytes of every ref popped so far, up to and including `last`.
    void release(const PacketRef& last) noexcept {
        uint64_t pos = consumed_ % arena_size_;
        if (last.offset < pos) consumed_ += arena_size_ - pos;  // the producer wrapped
        consumed_ = consumed_ - consumed_ % arena_size_ + last.offset;
        consumed_ += (uint64_t{last.caplen} + kAlign - 1) / kAlign * kAlign;
        released_.store(consumed_, std::memory_order_release);
    }
    [[nodiscard]] bool empty() const noexcept { return ring_.read_available() == 0; }

    [[nodiscard]] uint32_t capacity() const noexcept { return ring_refs_; }
    [[nodiscard]] size_t arena_bytes() const noexcept { return arena_size_; }
    [[nodiscard]] decode::LinkType link_type() const noexcept { return link_; }
    [[nodiscard]] size_t memory_bytes() const noexcept { return arena_size_ + size_t{ring_refs_} * sizeof(PacketRef); }
    // Fill level for stats (approximate by nature; read from any thread).
    [[nodiscard]] size_t fill() const noexcept { return ring_.read_available(); }

 private:
    struct FreeDeleter {
        void operator()(uint8_t* p) const noexcept { std::free(p); }
    };

    boost::lockfree::spsc_queue<PacketRef> ring_;
    const uint32_t ring_refs_;
    const uint64_t arena_size_;
    const decode::LinkType link_;
    Doorbell* doorbell_;
    std::unique_ptr<uint8_t, FreeDeleter> arena_;
    // producer only
    alignas(kCacheLine) uint64_t head_ = 0;       // monotonic byte position of the next frame
    uint64_t released_cache_ = 0;
    size_t refs_room_ = 0;
    // consumer only
    alignas(kCacheLine) uint64_t consumed_ = 0;   // monotonic byte position released so far
    // shared
    alignas(kCacheLine) std::atomic<uint64_t> released_{0};
};

}  // namespace nms::pipeline
