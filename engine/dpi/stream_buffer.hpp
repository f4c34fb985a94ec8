#pragma once
// StreamBuffer: the in-order bytes of one TCP direction that a dissector has not consumed
// yet, bounded. Segments are accepted in sequence order only: a retransmitted overlap is
// trimmed, a gap (lost or reordered segment) empties the buffer and restarts after the gap
// with `gap` set so the dissector can resynchronise. Never allocates: the storage is a
// slice of the DPI engine's context pool.
#include <cstdint>
#include <cstring>

#include "common/bytes.hpp"

namespace nms::dpi {

class StreamBuffer {
 public:
    void attach(uint8_t* storage, uint32_t capacity) noexcept {
        buf_ = storage;
        cap_ = capacity;
        reset();
    }
    void reset() noexcept {
        len_ = 0;
        seq_known_ = false;
        gap_ = false;
        overflowed_ = false;
    }

    // Adds a TCP segment's payload. Returns false when bytes had to be dropped (gap or full).
    bool add_tcp(uint32_t seq, ByteView payload) noexcept {
        if (payload.empty()) return true;
        if (!seq_known_) {
            seq_known_ = true;
            next_seq_ = seq;
        }
        const auto ahead = static_cast<int32_t>(seq - next_seq_);
        if (ahead > 0) {  // bytes missing before this segment
            len_ = 0;
            gap_ = true;
            next_seq_ = seq;
        } else if (ahead < 0) {  // retransmission: keep only what is new
            const auto old = static_cast<uint32_t>(-ahead);
            if (old >= payload.size) return true;
            payload = payload.sub(old);
        }
        next_seq_ += static_cast<uint32_t>(payload.size);
        return append(payload) && ahead <= 0;
    }
    // Adds bytes with no sequence (a UDP datagram replaces what was there).
    void set_datagram(ByteView payload) noexcept {
        len_ = 0;
        append(payload);
    }

    [[nodiscard]] ByteView data() const noexcept { return {buf_, len_}; }
    // Drops the first n bytes (the dissector is done with them).
    void consume(uint32_t n) noexcept {
        if (n >= len_) {
            len_ = 0;
        } else {
            std::memmove(buf_, buf_ + n, len_ - n);
            len_ -= n;
        }
    }
    // Whether bytes were lost before data(); reading it clears it.
    bool take_gap() noexcept {
        const bool g = gap_;
        gap_ = false;
        return g;
    }
    [[nodiscard]] bool full() const noexcept { return len_ == cap_; }
    [[nodiscard]] bool overflowed() const noexcept { return overflowed_; }

 private:
    bool append(ByteView p) noexcept {
        const uint32_t room = cap_ - len_;
        const auto n = static_cast<uint32_t>(p.size < room ? p.size : room);
        if (n) std::memcpy(buf_ + len_, p.data, n);
        len_ += n;
        if (n < p.size) overflowed_ = true;
        return n == p.size;
    }

    uint8_t* buf_ = nullptr;
    uint32_t cap_ = 0;
    uint32_t len_ = 0;
    uint32_t next_seq_ = 0;
    bool seq_known_ = false;
    bool gap_ = false;
    bool overflowed_ = false;
};

}  // namespace nms::dpi
