#pragma once
// Test helper: a FrameSink that copies every frame and counts batches.
#include <cstdint>
#include <vector>

#include "capture/capture_source.hpp"

namespace nms::capture::test {

struct CopiedFrame {
    std::vector<uint8_t> data;
    uint32_t caplen = 0;
    uint32_t wirelen = 0;
    TimestampNs ts_ns = 0;
    bool vlan_valid = false;
    uint16_t vlan_tci = 0;
};

class CollectingSink final : public FrameSink {
 public:
    void on_frame(const RawFrame& f) noexcept override {
        CopiedFrame c;
        c.data.assign(f.data, f.data + f.caplen);
        c.caplen = f.caplen;
        c.wirelen = f.wirelen;
        c.ts_ns = f.ts_ns;
        c.vlan_valid = f.vlan_valid;
        c.vlan_tci = f.vlan_tci;
        frames.push_back(std::move(c));
        ++in_batch;
    }
    void end_batch() noexcept override {
        ++batches;
        if (in_batch > largest_batch) largest_batch = in_batch;
        in_batch = 0;
    }
    std::vector<CopiedFrame> frames;
    uint64_t batches = 0;
    uint64_t in_batch = 0;
    uint64_t largest_batch = 0;
};

// Polls until kEof/kError or max_polls; returns the last result.
inline PollResult drain(CaptureSource& src, FrameSink& sink, int max_polls = 1000000) {
    PollResult r = PollResult::kIdle;
    for (int i = 0; i < max_polls; ++i) {
        r = src.poll(sink, 100);
        if (r == PollResult::kEof || r == PollResult::kError) break;
    }
    return r;
}

}  // namespace nms::capture::test
