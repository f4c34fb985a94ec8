#include "capture/tpacket_ring.hpp"

#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

namespace nms::capture {
namespace {

std::string sys_error(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
}

// block_status is a plain __u32 shared with the kernel; atomic_ref gives us the ordering
// the kernel's smp_wmb/smp_rmb pairs expect without changing the struct's layout.
using StatusRef = std::atomic_ref<uint32_t>;
static_assert(StatusRef::required_alignment <= alignof(uint32_t));

}  // namespace

TpacketRing::~TpacketRing() { unmap(); }

TpacketRing::TpacketRing(TpacketRing&& other) noexcept
    : map_(std::exchange(other.map_, nullptr)),
      map_len_(std::exchange(other.map_len_, 0)),
      block_size_(std::exchange(other.block_size_, 0)),
      block_count_(std::exchange(other.block_count_, 0)),
      next_(std::exchange(other.next_, 0)) {}

TpacketRing& TpacketRing::operator=(TpacketRing&& other) noexcept {
    if (this != &other) {
        unmap();
        map_ = std::exchange(other.map_, nullptr);
        map_len_ = std::exchange(other.map_len_, 0);
        block_size_ = std::exchange(other.block_size_, 0);
        block_count_ = std::exchange(other.block_count_, 0);
        next_ = std::exchange(other.next_, 0);
    }
    return *this;
}

bool TpacketRing::setup(int fd, const TpacketRingParams& params, std::string& error) {
    unmap();
    const long page = sysconf(_SC_PAGESIZE);
    const uint32_t bs = params.block_size;
    if (page <= 0 || bs == 0 || (bs & (bs - 1)) != 0 || bs % static_cast<uint32_t>(page) != 0) {
        error = "block_size " + std::to_string(bs) + " must be a power of two and a multiple of the page size";
        return false;
    }
    // V3 frames need room for the header; keep frame_size aligned and within the block.
    constexpr uint32_t kAlign = TPACKET_ALIGNMENT;
    constexpr uint32_t kMinFrame = (sizeof(tpacket3_hdr) + kAlign - 1) & ~(kAlign - 1);
    uint32_t frame_size = (params.frame_size + kAlign - 1) & ~(kAlign - 1);
    if (frame_size < kMinFrame) frame_size = kMinFrame;
    if (frame_size > bs) frame_size = bs;
    if (params.block_count == 0) {
        error = "block_count must be > 0";
        return false;
    }

    int version = TPACKET_V3;
    if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &version, sizeof(version)) != 0) {
        error = sys_error("setsockopt(PACKET_VERSION, TPACKET_V3)");
        return false;
    }
    tpacket_req3 req{};
    req.tp_block_size = bs;
    req.tp_block_nr = params.block_count;
    req.tp_frame_size = frame_size;
    req.tp_frame_nr = (bs / frame_size) * params.block_count;
    req.tp_retire_blk_tov = params.block_timeout_ms;
    req.tp_sizeof_priv = 0;
    req.tp_feature_req_word = TP_FT_REQ_FILL_RXHASH;
    if (setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) != 0) {
        error = sys_error("setsockopt(PACKET_RX_RING)") + " (block_size " + std::to_string(bs) +
                " x block_count " + std::to_string(params.block_count) + ")";
        return false;
    }
    const size_t len = static_cast<size_t>(bs) * params.block_count;
    void* map = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_LOCKED, fd, 0);
    if (map == MAP_FAILED) {
        // MAP_LOCKED fails under a small RLIMIT_MEMLOCK; the ring works unlocked too.
        map = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    }
    if (map == MAP_FAILED) {
        error = sys_error("mmap of the packet ring");
        tpacket_req3 off{};
        setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &off, sizeof(off));
        return false;
    }
    map_ = static_cast<uint8_t*>(map);
    map_len_ = len;
    block_size_ = bs;
    block_count_ = params.block_count;
    next_ = 0;
    return true;
}

tpacket_block_desc* TpacketRing::block(uint32_t index) const noexcept {
    return reinterpret_cast<tpacket_block_desc*>(map_ + static_cast<size_t>(index) * block_size_);
}

tpacket_block_desc* TpacketRing::current_block() const noexcept {
    if (map_ == nullptr) return nullptr;
    tpacket_block_desc* b = block(next_);
    const uint32_t status = StatusRef(b->hdr.bh1.block_status).load(std::memory_order_acquire);
    return (status & TP_STATUS_USER) != 0 ? b : nullptr;
}

void TpacketRing::release_block() noexcept {
    if (map_ == nullptr) return;
    StatusRef(block(next_)->hdr.bh1.block_status).store(TP_STATUS_KERNEL, std::memory_order_release);
    next_ = next_ + 1 == block_count_ ? 0 : next_ + 1;
}

void TpacketRing::unmap() noexcept {
    if (map_ != nullptr) munmap(map_, map_len_);
    map_ = nullptr;
    map_len_ = 0;
    block_size_ = 0;
    block_count_ = 0;
    next_ = 0;
}

}  // namespace nms::capture
