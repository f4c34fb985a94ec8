#pragma once
// Snapshot: the immutable, merged view of the whole engine at one stats tick. Published as
// shared_ptr<const Snapshot>; everything that shows state (EVE stats, REST, WebSocket,
// /metrics, the dashboard) renders from one of these and never touches worker state.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "detect/alert.hpp"
#include "detect/alert_manager.hpp"
#include "detect/detection_engine.hpp"
#include "devices/device_table.hpp"
#include "pipeline/shard_snapshot.hpp"
#include "pipeline/traffic_counters.hpp"

namespace nms::stats {

struct RatePoint {
    TimestampNs wall_ns = 0;
    double pps = 0;
    double bps = 0;               // bits per second (wire)
    uint64_t active_flows = 0;
    uint64_t drops = 0;           // all drop reasons during the interval
};

struct CaptureView {
    std::string name;
    std::string state;            // "running", "paused" (capture/stop), "finished", "failed"
    uint64_t paused_drops = 0;    // the kernel dropped these while capture was paused
    uint64_t frames = 0;
    uint64_t bytes = 0;
    uint64_t kernel_packets = 0;
    uint64_t kernel_drops = 0;    // the kernel dropped these while we were reading (not paused)
    uint64_t kernel_freezes = 0;
    uint64_t ring_full_drops = 0; // all workers
    uint64_t truncated = 0;
    uint64_t bad_records = 0;
    uint64_t discarded_sync = 0;
    double busy_ratio = 0;
};

struct WorkerView {
    uint32_t id = 0;
    uint64_t packets = 0;
    uint32_t active_flows = 0;
    uint32_t flow_capacity = 0;
    double busy_ratio = 0;        // share of the last interval spent processing packets
    size_t ring_fill = 0;         // packets queued on its inbound rings right now
    uint64_t ring_full_drops = 0; // frames dropped because its rings were full
    bool stale = false;           // did not answer this tick in time
};

struct Talker {
    IpAddr ip;
    uint64_t bytes_out = 0;
    uint64_t bytes_in = 0;
    uint64_t packets_out = 0;
    uint64_t packets_in = 0;
    uint32_t flows = 0;
    double bps = 0;               // (in + out) bits per second over the interval
};

// Latency percentiles of one protocol (or the TCP handshake), cumulative since start.
struct LatencyStat {
    std::string name;             // "tcp_handshake", "dns", "http", "tls", ...
    IpAddr server;                // per-server entries only
    uint64_t count = 0;
    double mean_us = 0;
    uint64_t p50_us = 0, p95_us = 0, p99_us = 0;
};

// What the store (SQLite + daily logs) did and lost, for health, the stats JSON and /metrics.
inline constexpr const char* kStoreDropReasons[] = {"flows_queue", "dns_queue",    "stats_queue", "devices_queue",
                                                    "alerts_queue", "write_failed", "log_lines"};
inline constexpr size_t kStoreDropReasonCount = sizeof kStoreDropReasons / sizeof kStoreDropReasons[0];

struct StoreHealth {
    bool enabled = false;         // false: no store (replay without --data-dir, storage off)
    bool healthy = true;          // nothing lost in the last minute
    bool disk_full = false;       // the last failed write was SQLITE_FULL and none succeeded since
    uint64_t backlog = 0;         // records queued or batched, not yet committed
    uint64_t rows_written = 0;    // all tables
    uint64_t batches = 0;
    uint64_t write_errors = 0;    // failed transactions
    uint64_t max_step_us = 0;
    std::array<uint64_t, kStoreDropReasonCount> dropped{};  // by kStoreDropReasons
    std::string last_error;       // "" = none
};

struct Snapshot {
    uint64_t seq = 0;
    TimestampNs wall_ns = 0;
    TimestampNs packet_time = 0;  // newest packet timestamp seen by any worker
    double uptime_s = 0;
    double interval_s = 0;

    pipeline::TrafficCounters traffic;   // cumulative totals
    double pps = 0;
    double bps = 0;
    std::array<double, pipeline::kProtoClassCount> proto_pps{};
    std::array<double, pipeline::kProtoClassCount> proto_bps{};

    flow::FlowTableCounters flows;       // cumulative, summed over workers
    dpi::DpiCounters dpi;                // cumulative, summed over workers
    uint64_t active_flows = 0;
    uint64_t flow_capacity = 0;

    uint64_t kernel_drops = 0;           // while capturing
    uint64_t paused_drops = 0;           // by the kernel while capture was paused (capture/stop)
    uint64_t ring_full_drops = 0;
    uint64_t decode_invalid = 0;         // packets that could not be decoded
    uint64_t records_dropped = 0;

    std::vector<CaptureView> captures;
    std::vector<WorkerView> workers;
    std::vector<Talker> top_talkers;
    std::vector<pipeline::FlowSummary> top_flows;
    std::vector<LatencyStat> latency;          // per protocol, busiest first
    std::vector<LatencyStat> server_latency;   // per (server, protocol), busiest first, top N
    std::shared_ptr<const std::vector<RatePoint>> history;  // oldest first, 1 point per tick
    std::vector<devices::Device> devices;      // busiest first, top N (stats.top_talkers)
    std::vector<devices::DeviceEvent> device_events;  // discovered or changed during this tick
    devices::DeviceTableCounters device_counters;  // devices = total known
    StoreHealth store;
    std::vector<detect::Alert> alerts;         // open episodes (newest first), then recently ended ones; bounded
    detect::AlertCounters alert_counters{};    // per kind, cumulative
    detect::DetectEngineCounters detect_counters;
    detect::ShardDetectCounters detect_shard_counters;  // summed over workers
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

}  // namespace nms::stats
