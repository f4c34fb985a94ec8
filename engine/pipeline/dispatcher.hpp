#pragma once
// Dispatcher: the capture thread's FrameSink. Decodes just enough of each frame to pick
// its worker (shard_hash), copies the frame into that worker's channel slot, and pushes
// one batch per worker at the end of every capture batch (one TPACKET_V3 block).
//
// Live capture never waits: a full ring is a counted drop for that worker. File replay
// waits instead (wait_when_full), because there is no kernel ring to overflow and a
// replay must see every packet.
#include <atomic>
#include <memory>
#include <vector>

#include "capture/capture_source.hpp"
#include "decode/packet_view.hpp"
#include "common/counter.hpp"
#include "pipeline/packet_channel.hpp"

namespace nms::pipeline {

struct alignas(kCacheLine) DispatcherCounters {
    RelaxedCounter frames;
    RelaxedCounter bytes;
    RelaxedCounter truncated_to_slot;          // frame longer than max_frame: kept truncated
    std::unique_ptr<RelaxedCounter[]> ring_full_drops;  // per worker
};

class Dispatcher final : public capture::FrameSink {
 public:
    // Frames longer than max_frame bytes (snap length + a restored VLAN tag) are truncated.
    Dispatcher(std::vector<PacketChannel*> channels, decode::LinkType link, uint32_t max_frame, bool wait_when_full,
               const std::atomic<bool>* stop);

    void on_frame(const capture::RawFrame& frame) noexcept override;
    void end_batch() noexcept override;

    [[nodiscard]] const DispatcherCounters& counters() const noexcept { return counters_; }
    [[nodiscard]] size_t workers() const noexcept { return channels_.size(); }

    static constexpr uint32_t kMaxBatch = 256;

 private:
    struct Pending {
        PacketRef refs[kMaxBatch];
        uint32_t n = 0;
    };

    uint32_t pick_worker(const capture::RawFrame& frame) noexcept;
    // Arena offset for a frame of len bytes on worker w, or -1 (live: drop).
    int64_t reserve(uint32_t w, uint32_t len) noexcept;
    void flush(uint32_t w) noexcept;

    std::vector<PacketChannel*> channels_;
    std::unique_ptr<Pending[]> pending_;
    decode::LinkType link_;
    uint32_t max_frame_;
    bool wait_when_full_;
    const std::atomic<bool>* stop_;
    DispatcherCounters counters_;
    decode::PacketView view_;  // scratch for pick_worker
};

}  // namespace nms::pipeline
