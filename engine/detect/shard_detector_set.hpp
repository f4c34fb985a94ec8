#pragma once
// ShardDetectorSet: one worker's shard detectors and the per-second hand-off. The worker
// calls on_packet() after the flow update, on_flow_end() when a flow ends, and collect()
// when a packet opens a new packet-time second and when it answers a stats epoch. collect()
// charges what every flow touched since the last collect moved (FlowProgress, from the
// flow's own counters: no per-packet work for volume detectors) and moves every detector's
// part into a DetectDelta for that second; the deltas wait in a bounded list for the next
// ShardSnapshot. Lives on the worker thread only.
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "detect/detect_delta.hpp"
#include "detect/detector.hpp"
#include "flow/flow_table.hpp"

namespace nms::detect {

class ShardDetectorSet final : public dpi::SecurityFactSink {
 public:
    // slots[i] = the shard half of detector slot i (null when that detector has none).
    explicit ShardDetectorSet(std::vector<std::unique_ptr<ShardDetector>> slots, size_t max_pending = 600);

    // Packet path: no allocation.
    void on_packet(const decode::PacketView& pkt, const flow::Flow* flow) noexcept {
        if (!started_) start(pkt.ts_ns);
        for (ShardDetector* d : active_) d->on_packet(pkt, flow);
    }
    // True when `ts` lies in a later (or earlier) second than the one being gathered: the
    // worker calls collect() before handing the packet on.
    [[nodiscard]] bool second_changed(TimestampNs ts) const noexcept {
        return started_ && static_cast<int64_t>(ts / kNsPerSec) != second_;
    }
    void on_flow_end(const flow::Flow& flow) noexcept;
    void security_fact(const dpi::SecurityFact& fact, const decode::PacketView* pkt,
                       const flow::Flow& flow) noexcept override;

    // Closes the data of the current second (walking flows touched since the last collect)
    // and, when `next_ts` is in another second, starts that one. Allocates (about once a
    // second); out of memory, the second's data is dropped and counted.
    void collect(flow::FlowTable& flows, TimestampNs next_ts) noexcept;
    // Deltas waiting for the stats thread, oldest first.
    std::vector<DetectDelta> take_pending() { return std::exchange(pending_, {}); }
    [[nodiscard]] ShardDetectCounters counters() const noexcept;

 private:
    void start(TimestampNs ts) noexcept {
        started_ = true;
        second_ = static_cast<int64_t>(ts / kNsPerSec);
    }
    void charge(const flow::Flow& f) noexcept;

    std::vector<std::unique_ptr<ShardDetector>> slots_;
    std::vector<ShardDetector*> active_;   // non-null slots
    std::vector<DetectDelta> pending_;
    size_t max_pending_;
    bool started_ = false;
    int64_t second_ = 0;
    TimestampNs walked_since_ = 0;         // flows touched at or after this were not charged yet
    ShardDetectCounters counters_;
};

}  // namespace nms::detect
