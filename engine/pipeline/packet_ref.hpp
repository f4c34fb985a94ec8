#pragma once
// PacketRef: the descriptor that crosses a capture->worker ring. The frame bytes sit in the
// channel's byte arena at `offset`.
#include <cstdint>

#include "common/time.hpp"

namespace nms::pipeline {

struct PacketRef {
    TimestampNs ts_ns;
    uint32_t caplen;   // bytes stored in the arena
    uint32_t wirelen;  // original frame length
    uint32_t offset;   // where the bytes start in the channel's arena
    uint32_t pad_;
};
static_assert(sizeof(PacketRef) == 24);

}  // namespace nms::pipeline
