#pragma once
// Worker: owns one flow shard. Drains its inbound channels (one per capture thread),
// decodes, tracks flows, and between batches expires flows, answers stats epochs and
// ships ended flows to the output thread. Nothing here is shared or locked.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "detect/shard_detector_set.hpp"
#include "devices/device_shard.hpp"
#include "dpi/dpi_engine.hpp"
#include "flow/flow_table.hpp"
#include "pipeline/doorbell.hpp"
#include "pipeline/flow_record.hpp"
#include "pipeline/packet_channel.hpp"
#include "pipeline/shard_snapshot.hpp"
#include "pipeline/traffic_counters.hpp"

namespace nms::pipeline {

struct WorkerOptions {
    uint32_t id = 0;
    uint32_t flow_capacity = 1u << 16;
    flow::FlowTimeouts timeouts;
    uint32_t flow_id_stride = 1;     // = number of workers, so flow ids never collide
    int cpu = -1;                    // -1 = not pinned
    bool offline = false;            // file replay: wait instead of dropping records
    uint32_t record_ring = 1u << 14;
    dpi::DpiLimits dpi;
    uint32_t event_ring = 4096;      // app events (DNS, HTTP, TLS, ...) waiting for the output thread
    uint32_t max_devices = 0;        // device shard capacity; 0 = no device tracking
    const devices::LocalNets* local_nets = nullptr;  // required when max_devices > 0; outlives the worker
};

// Signals from the engine to its workers, shared read-only by all of them.
struct WorkerControl {
    std::atomic<bool> inputs_done{false};  // every capture thread has exited
    std::atomic<bool> abort{false};        // stop now, even with packets queued
    std::atomic<uint64_t> epoch{0};        // bumped by the stats thread to ask for snapshots
    std::atomic<uint32_t> top_n{20};       // list length per snapshot (stats.top_talkers, live)
};

class Worker final : private flow::FlowEndSink {
 public:
    // `doorbell` is the one the inbound channels ring; the worker sleeps on it when idle.
    Worker(const WorkerOptions& opts, std::vector<PacketChannel*> inbound, Doorbell& doorbell,
           const WorkerControl& control);
    ~Worker() override;
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    void start();
    void join();

    // Consumer side for the output thread / stats thread.
    FlowRecordRing& records() noexcept { return records_; }
    dpi::AppEventRing& app_events() noexcept { return app_events_; }
    ShardSnapshotRing& snapshots() noexcept { return snapshots_; }
    [[nodiscard]] bool finished() const noexcept { return finished_.load(std::memory_order_acquire); }
    [[nodiscard]] uint32_t id() const noexcept { return opts_.id; }
    [[nodiscard]] size_t flow_memory_bytes() const noexcept { return flows_.memory_bytes(); }
    // Packets waiting on this worker's inbound rings (approximate; any thread).
    [[nodiscard]] size_t inbound_fill() const noexcept {
        size_t n = 0;
        for (const PacketChannel* ch : inbound_) n += ch->fill();
        return n;
    }

    // The shard halves of the detectors (DetectionEngine::make_shard_set); before start().
    void set_detectors(std::unique_ptr<detect::ShardDetectorSet> d);

    // Applied by the worker itself at its next safe point (SIGHUP reload).
    void set_pending_timeouts(const flow::FlowTimeouts& t);
    // Wakes the worker if it sleeps (e.g. to answer a stats epoch at once).
    void wake() noexcept { doorbell_.ring(); }

    // Runs the loop on the calling thread (tests, benchmarks); start() runs it on a new thread.
    void run() noexcept;

 private:
    size_t drain(PacketChannel& ch) noexcept;
    static constexpr size_t kBatch = 32;  // packets decoded ahead of their flow lookups
    void process_batch(PacketChannel& ch, const PacketRef* refs, size_t n) noexcept;
    [[nodiscard]] bool has_work() const noexcept;
    void on_flow_end(const flow::Flow& flow, flow::EndReason reason) override;
    void detect_packet(const decode::PacketView& v, const flow::Flow* f) noexcept;
    void maybe_snapshot(bool force) noexcept;
    void apply_pending_config();
    TimestampNs clock_now(uint64_t mono) const noexcept;

    WorkerOptions opts_;
    std::vector<PacketChannel*> inbound_;
    Doorbell& doorbell_;
    const WorkerControl& control_;
    flow::FlowTable flows_;
    TrafficCounters traffic_;
    // Decoded views of the batch in flight: a member, so they are constructed once and not
    // per batch (decode_packet resets each one anyway).
    std::unique_ptr<decode::PacketView[]> views_ = std::make_unique<decode::PacketView[]>(kBatch);
    FlowRecordRing records_;
    dpi::AppEventRing app_events_;
    dpi::DpiEngine dpi_;
    std::unique_ptr<devices::DeviceShard> devices_;  // null when device tracking is off
    std::unique_ptr<detect::ShardDetectorSet> detect_;  // null when detection is off
    ShardSnapshotRing snapshots_{4};

    TimestampNs last_pkt_ts_ = 0;     // newest packet time seen
    uint64_t mono_at_last_pkt_ = 0;
    TimestampNs last_expire_ts_ = 0;
    TimestampNs interval_start_ts_ = 0;
    uint64_t seen_epoch_ = 0;
    uint64_t busy_ns_ = 0;
    uint64_t started_mono_ = 0;
    uint64_t snapshot_drops_ = 0;

    std::mutex pending_mutex_;  // SIGHUP reload only, never on the packet path
    bool pending_timeouts_set_ = false;
    std::atomic<bool> config_dirty_{false};
    flow::FlowTimeouts pending_timeouts_;
    std::atomic<bool> finished_{false};
    std::thread thread_;
};

}  // namespace nms::pipeline
