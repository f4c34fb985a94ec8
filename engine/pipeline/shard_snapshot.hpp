#pragma once
// ShardSnapshot: one worker's view at a stats epoch, handed to the stats thread through
// the worker's own SPSC ring. Built between batches (never per packet), so it may allocate.
#include <boost/lockfree/spsc_queue.hpp>
#include <cstdint>
#include <memory>
#include <vector>

#include "common/ip_addr.hpp"
#include "detect/detect_delta.hpp"
#include "devices/device_shard.hpp"
#include "flow/flow.hpp"
#include "dpi/dpi_engine.hpp"
#include "flow/flow_table.hpp"
#include "pipeline/traffic_counters.hpp"

namespace nms::pipeline {

// Traffic of one host during the interval, as far as this shard saw it.
struct TalkerDelta {
    IpAddr ip;
    uint64_t bytes_out = 0;
    uint64_t bytes_in = 0;
    uint64_t packets_out = 0;
    uint64_t packets_in = 0;
    uint32_t flows = 0;          // flows active in the interval
};

// A flow active in the interval, with what it moved during the interval.
struct FlowSummary {
    flow::Flow flow;             // copy as of the snapshot
    uint64_t interval_bytes = 0;
    uint64_t interval_packets = 0;
};

struct ShardSnapshot {
    uint32_t worker = 0;
    uint64_t epoch = 0;
    TimestampNs packet_time = 0;     // newest packet timestamp the worker has seen
    TrafficCounters traffic;         // cumulative
    flow::FlowTableCounters flows;   // cumulative
    dpi::DpiCounters dpi;            // cumulative
    std::unique_ptr<dpi::LatencyTable> latency;  // cumulative copy
    uint32_t active_flows = 0;
    uint32_t flow_capacity = 0;
    uint64_t busy_ns = 0;            // cumulative time spent processing packets
    uint64_t alive_ns = 0;           // cumulative time since the worker started
    std::vector<TalkerDelta> talkers;   // top hosts of the interval on this shard
    std::vector<FlowSummary> top_flows; // top flows of the interval on this shard
    std::vector<devices::PartialDevice> devices;  // devices changed since the previous snapshot
    devices::DeviceShardCounters device_counters; // cumulative
    std::vector<detect::DetectDelta> detect;      // per-second detector deltas since the previous snapshot
    detect::ShardDetectCounters detect_counters;  // cumulative
};

using ShardSnapshotRing = boost::lockfree::spsc_queue<ShardSnapshot*>;

}  // namespace nms::pipeline
