#pragma once
// DetectDelta: what one worker's shard detectors gathered during (part of) one packet-time
// second, travelling to the stats thread inside pipeline::ShardSnapshot. One part per
// detector slot (null = nothing to report); the stats thread hands part i to global
// detector i, which merges it into its own window (HLL register max, counter sums).
// Seconds are packet time, so a replay at any speed is judged like the live traffic was.
#include <cstdint>
#include <memory>
#include <vector>

namespace nms::detect {

// Base of every detector's per-second payload; each detector defines its own.
class DetectorDelta {
 public:
    virtual ~DetectorDelta() = default;
};

struct DetectDelta {
    int64_t second = 0;                                  // packet time, whole seconds
    std::vector<std::unique_ptr<DetectorDelta>> parts;   // index = detector slot
};

// Worker-side counters of the detection path (cumulative).
struct ShardDetectCounters {
    uint64_t deltas = 0;            // per-second deltas handed to the stats thread
    uint64_t deltas_dropped = 0;    // pending list full (stats thread far behind)
    uint64_t table_evictions = 0;   // entries pushed out of full per-worker tables
};

}  // namespace nms::detect
