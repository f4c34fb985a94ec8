#pragma once
// StatsMerger: turns the latest ShardSnapshot of every worker plus capture counters into
// one Snapshot, and keeps the per-second history ring. Pure bookkeeping, no threads, so
// it is unit-testable; StatsThread drives it.
#include <deque>
#include <memory>
#include <vector>

#include "pipeline/capture_thread.hpp"
#include "pipeline/worker.hpp"
#include "stats/snapshot.hpp"

namespace nms::stats {

class StatsMerger {
 public:
    explicit StatsMerger(uint32_t history_points);
    // The device table whose top entries go into each snapshot (owned by StatsThread).
    void set_devices(const devices::DeviceMerger* d) noexcept { devices_ = d; }
    // The detection engine whose alerts go into each snapshot (owned by the engine).
    void set_detection(const detect::DetectionEngine* d) noexcept { detection_ = d; }

    // shards[i] = newest snapshot of worker i (nullptr if none yet); stale[i] = it is old.
    SnapshotPtr merge(const std::vector<const pipeline::ShardSnapshot*>& shards, const std::vector<bool>& stale,
                      const std::vector<pipeline::CaptureThread*>& captures,
                      const std::vector<pipeline::Worker*>& workers, uint32_t top_n, TimestampNs wall_now,
                      uint64_t mono_now);

    // Prepends stored history (oldest first, older than anything merged so far), keeping at
    // most history_points; the next merge() publishes it with the new points.
    void seed_history(const std::vector<RatePoint>& points);

 private:
    uint32_t history_points_;
    uint64_t seq_ = 0;
    uint64_t start_mono_ = 0;
    uint64_t prev_mono_ = 0;
    SnapshotPtr prev_;
    std::vector<uint64_t> prev_busy_, prev_alive_;
    std::vector<uint64_t> prev_cap_busy_;
    std::deque<RatePoint> history_;
    const devices::DeviceMerger* devices_ = nullptr;
    const detect::DetectionEngine* detection_ = nullptr;
};

}  // namespace nms::stats
