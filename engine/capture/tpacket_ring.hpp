#pragma once
// TpacketRing: the mmap'ed TPACKET_V3 receive ring of one AF_PACKET socket. The kernel fills
// whole blocks and flips block_status to TP_STATUS_USER (we read it with acquire); we hand a
// block back by storing TP_STATUS_KERNEL (release) and move to the next block in ring order.
#include <linux/if_packet.h>

#include <cstdint>
#include <string>

namespace nms::capture {

struct TpacketRingParams {
    uint32_t block_size = 1u << 20;   // power of two, multiple of the page size
    uint32_t block_count = 64;
    uint32_t frame_size = 2048;       // only sizes tp_frame_nr in V3 (frames are variable length)
    uint32_t block_timeout_ms = 10;   // tp_retire_blk_tov
};

class TpacketRing {
 public:
    TpacketRing() = default;
    ~TpacketRing();
    TpacketRing(const TpacketRing&) = delete;
    TpacketRing& operator=(const TpacketRing&) = delete;
    TpacketRing(TpacketRing&& other) noexcept;
    TpacketRing& operator=(TpacketRing&& other) noexcept;

    // Sets PACKET_VERSION, PACKET_RX_RING and maps the ring on fd (not owned). On failure
    // returns false and fills error; the object stays empty.
    bool setup(int fd, const TpacketRingParams& params, std::string& error);

    // The block at the read position if the kernel handed it to us, else nullptr.
    [[nodiscard]] tpacket_block_desc* current_block() const noexcept;
    // Returns the current block to the kernel and advances the read position.
    void release_block() noexcept;

    [[nodiscard]] bool mapped() const noexcept { return map_ != nullptr; }
    [[nodiscard]] uint32_t block_count() const noexcept { return block_count_; }
    [[nodiscard]] uint32_t block_size() const noexcept { return block_size_; }

 private:
    void unmap() noexcept;
    [[nodiscard]] tpacket_block_desc* block(uint32_t index) const noexcept;

    uint8_t* map_ = nullptr;
    size_t map_len_ = 0;
    uint32_t block_size_ = 0;
    uint32_t block_count_ = 0;
    uint32_t next_ = 0;
};

}  // namespace nms::capture
