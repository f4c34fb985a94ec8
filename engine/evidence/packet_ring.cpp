#include "evidence/packet_ring.hpp"

#include <stdexcept>

namespace nms::evidence {

PacketRing::PacketRing(size_t bytes, uint32_t snaplen)
    : snaplen_(snaplen > 0xffff ? 0xffff : snaplen), size_(bytes / 8 * 8), buf_(new uint8_t[size_]) {
    if (size_ < 2 * (kHeader + snaplen_ + 8)) throw std::invalid_argument("evidence ring smaller than two packets");
    // Touch the buffer now so page faults happen at start-up, not on the packet path.
    std::memset(buf_.get(), 0, size_);
}

}  // namespace nms::evidence
