#pragma once
// PacketRef: the descriptor that crosses a capture->worker ring. The frame bytes sit in the
// channel's slot arena at the slot matching the ref's position in the ring, so the ref
// itself carries no pointer.
#include <cstdint>

#include "common/time.hpp"

namespace nms::pipeline {

struct PacketRef {
    TimestampNs ts_ns;
    uint32_t caplen;   // bytes stored in the slot
    uint32_t wirelen;  // original frame length
};
static_assert(sizeof(PacketRef) == 16);

}  // namespace nms::pipeline
