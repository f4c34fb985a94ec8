#pragma once
// StatsSample: one stats tick reduced to the columns of the stats tables, made on the stats
// thread (deltas against the previous tick) and queued to the store as a small POD.
#include <cstdint>

#include "stats/snapshot.hpp"

namespace nms::store {

struct StatsSample {
    int64_t ts = 0;              // wall-clock Unix second of the tick
    uint64_t packets = 0;        // during the interval
    uint64_t bytes = 0;
    double pps = 0;
    double bps = 0;
    uint64_t active_flows = 0;
    uint64_t drops = 0;
    uint64_t tcp_bytes = 0, udp_bytes = 0, icmp_bytes = 0, other_bytes = 0;
};

// Interval deltas of `now` against `prev` (nullptr: since start).
StatsSample make_stats_sample(const stats::Snapshot& now, const stats::Snapshot* prev) noexcept;

}  // namespace nms::store
