#pragma once
// The engine's loss counters as the doctor analyses them. Filled from the last EVE "stats"
// event today (eve_stats_reader.hpp), from the REST API later: the analysis only sees this.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace nms::doctor {

struct SourceDrops {  // stats.capture.sources[]
    std::string name;
    uint64_t frames = 0;
    uint64_t kernel_drops = 0;
    uint64_t ring_full_drops = 0;
    uint64_t truncated = 0;
    uint64_t bad_records = 0;
};

struct DropCounters {
    std::string origin;  // where the numbers came from, e.g. "eve.json (stats event of <time>)"
    uint64_t uptime_s = 0;
    uint64_t kernel_packets = 0;  // PACKET_STATISTICS tp_packets: includes the kernel's drops
    uint64_t kernel_drops = 0;
    uint64_t ring_full_drops = 0;
    std::vector<SourceDrops> sources;
    uint64_t decoder_packets = 0;
    uint64_t decoder_invalid = 0;
    std::vector<std::pair<std::string, uint64_t>> decode_events;  // stats.decoder.event.*
    uint64_t flows_created = 0;
    uint64_t flows_evicted = 0;
    uint64_t fragments_unmatched = 0;
    uint64_t records_dropped = 0;
};

}  // namespace nms::doctor
