#pragma once
// StatsThread: once per interval asks every worker for a ShardSnapshot (epoch bump), waits
// a bounded time for the answers, merges them and publishes the Snapshot. A worker that
// does not answer in time is marked stale and its previous snapshot is used: the tick
// never waits on a stuck worker.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "stats/stats_merger.hpp"

namespace nms::stats {

class StatsThread {
 public:
    using Listener = std::function<void(const SnapshotPtr&)>;
    using DeviceListener = std::function<void(const devices::DeviceEvent&)>;

    // List lengths come from control.top_n, so a reload changes them for workers and stats alike.
    StatsThread(uint32_t interval_ms, uint32_t history_points, std::vector<pipeline::Worker*> workers,
                std::vector<pipeline::CaptureThread*> captures, pipeline::WorkerControl& control);
    ~StatsThread();

    // Called on the stats thread after every tick, in the order added (EVE stats, the API
    // broadcaster). Add listeners before start().
    void add_listener(Listener l) { listeners_.push_back(std::move(l)); }
    // Device tracking: the merger folds in every worker snapshot; discoveries and changes go
    // to `l` (on the stats thread, after each tick). Call before start().
    void set_devices(std::unique_ptr<devices::DeviceMerger> merger, DeviceListener l) {
        devices_ = std::move(merger);
        device_listener_ = std::move(l);
        merger_.set_devices(devices_.get());
    }
    // Detection: worker deltas go to `d`, which judges them every tick and whose alerts go
    // into every snapshot. Call before start(); `d` outlives the thread.
    void set_detection(detect::DetectionEngine* d) noexcept {
        detection_ = d;
        merger_.set_detection(d);
    }
    // After stop(): the merged table (site signatures, tests).
    [[nodiscard]] const devices::DeviceMerger* devices() const noexcept { return devices_.get(); }
    // Before start(): history points loaded from storage, so charts continue across restarts.
    void seed_history(const std::vector<RatePoint>& points) { merger_.seed_history(points); }

    void start();
    void stop();

    // One tick on the calling thread; `final` collects the workers' last snapshots
    // (they push one as they exit) without asking for new ones.
    SnapshotPtr tick(bool final);

    [[nodiscard]] SnapshotPtr latest() const { return latest_.load(std::memory_order_acquire); }

 private:
    void collect(uint64_t epoch, bool final);

    uint32_t interval_ms_;
    std::vector<pipeline::Worker*> workers_;
    std::vector<pipeline::CaptureThread*> captures_;
    pipeline::WorkerControl& control_;
    StatsMerger merger_;
    std::vector<std::unique_ptr<pipeline::ShardSnapshot>> last_;
    std::vector<bool> stale_;
    std::atomic<std::shared_ptr<const Snapshot>> latest_;
    std::vector<Listener> listeners_;
    std::unique_ptr<devices::DeviceMerger> devices_;
    DeviceListener device_listener_;
    detect::DetectionEngine* detection_ = nullptr;
    std::vector<devices::DeviceEvent> device_events_;

    std::mutex mutex_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace nms::stats
