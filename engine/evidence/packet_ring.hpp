#pragma once
// PacketRing: a worker's recent packets for evidence PCAPs, in one fixed buffer allocated at
// start. Each packet is one record (16-byte header + its first `snaplen` bytes, 8-aligned);
// appending overwrites the oldest records: one memcpy, no allocation, no lock. Variable-size
// records keep ~4x more history than fixed snaplen slots when frames are small (SYN floods,
// scans: exactly the traffic evidence is wanted for).
// Owned by one worker thread: append and read happen on it only.
#include <cstdint>
#include <cstring>
#include <memory>

#include "common/time.hpp"
#include "decode/link_type.hpp"

namespace nms::evidence {

struct PacketRecord {
    TimestampNs ts = 0;
    uint32_t wirelen = 0;
    uint32_t caplen = 0;      // bytes kept (<= snaplen)
    decode::LinkType link = decode::LinkType::kEthernet;
    const uint8_t* data = nullptr;
};

class PacketRing {
 public:
    static constexpr uint32_t kHeader = 16;

    // `bytes` is rounded down to 8 and must hold at least one full record.
    PacketRing(size_t bytes, uint32_t snaplen);

    void append(decode::LinkType link, const uint8_t* data, uint32_t caplen, uint32_t wirelen,
                TimestampNs ts) noexcept {
        const uint32_t keep = caplen < snaplen_ ? caplen : snaplen_;
        const uint64_t need = (kHeader + uint64_t{keep} + 7) & ~uint64_t{7};
        uint64_t pos = head_ % size_;
        const uint64_t skip = pos + need > size_ ? size_ - pos : 0;  // no record straddles the end
        // Evict first, so the headers walked are still intact. skip + need <= size_ because
        // the ring holds at least two records of full snaplen.
        while (head_ + skip + need - tail_ > size_) tail_ = next(tail_);
        if (skip) {
            if (skip >= kHeader) write_header(pos, 0, 0, 0, kWrapLink);
            head_ += skip;
            pos = 0;
        }
        write_header(pos, ts, wirelen, keep, static_cast<uint16_t>(link));
        std::memcpy(buf_.get() + pos + kHeader, data, keep);
        head_ += need;
        ++appended_;
    }

    // Monotonic byte positions: records live in [tail(), head()).
    [[nodiscard]] uint64_t head() const noexcept { return head_; }
    [[nodiscard]] uint64_t tail() const noexcept { return tail_; }
    [[nodiscard]] uint64_t appended() const noexcept { return appended_; }
    [[nodiscard]] size_t capacity_bytes() const noexcept { return size_; }
    [[nodiscard]] uint32_t snaplen() const noexcept { return snaplen_; }

    // Calls f(const PacketRecord&) for every record from position `from` (raised to tail()
    // when it was overwritten) to head(), oldest first. Returns head().
    template <typename F>
    uint64_t for_each_from(uint64_t from, F&& f) const {
        uint64_t p = from < tail_ ? tail_ : from;
        while (p < head_) {
            const uint64_t pos = p % size_;
            if (size_ - pos < kHeader || load_link(pos) == kWrapLink) {
                p += size_ - pos;
                continue;
            }
            PacketRecord r;
            std::memcpy(&r.ts, buf_.get() + pos, 8);
            std::memcpy(&r.wirelen, buf_.get() + pos + 8, 4);
            uint16_t cap16 = 0;
            std::memcpy(&cap16, buf_.get() + pos + 12, 2);
            r.caplen = cap16;
            r.link = static_cast<decode::LinkType>(load_link(pos));
            r.data = buf_.get() + pos + kHeader;
            f(r);
            p += (kHeader + uint64_t{cap16} + 7) & ~uint64_t{7};
        }
        return head_;
    }

 private:
    static constexpr uint16_t kWrapLink = 0xffff;  // no pcap link type has this number

    void write_header(uint64_t pos, TimestampNs ts, uint32_t wirelen, uint32_t keep, uint16_t link) noexcept {
        uint8_t* p = buf_.get() + pos;
        const auto cap16 = static_cast<uint16_t>(keep);
        std::memcpy(p, &ts, 8);
        std::memcpy(p + 8, &wirelen, 4);
        std::memcpy(p + 12, &cap16, 2);
        std::memcpy(p + 14, &link, 2);
    }
    [[nodiscard]] uint16_t load_link(uint64_t pos) const noexcept {
        uint16_t l = 0;
        std::memcpy(&l, buf_.get() + pos + 14, 2);
        return l;
    }
    // Position of the record after the one at `p` (skipping a wrap marker or a short tail).
    [[nodiscard]] uint64_t next(uint64_t p) const noexcept {
        const uint64_t pos = p % size_;
        if (size_ - pos < kHeader || load_link(pos) == kWrapLink) return p + (size_ - pos);
        uint16_t cap16 = 0;
        std::memcpy(&cap16, buf_.get() + pos + 12, 2);
        return p + ((kHeader + uint64_t{cap16} + 7) & ~uint64_t{7});
    }

    const uint32_t snaplen_;
    const uint64_t size_;
    std::unique_ptr<uint8_t[]> buf_;
    uint64_t head_ = 0;
    uint64_t tail_ = 0;
    uint64_t appended_ = 0;
};

}  // namespace nms::evidence
