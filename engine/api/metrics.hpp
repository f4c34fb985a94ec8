#pragma once
// Prometheus text exposition format 0.0.4 of a Snapshot (+ the API's own gauges).
#include <cstddef>
#include <cstdint>
#include <string>

#include "stats/snapshot.hpp"

namespace nms::api {

struct ApiGauges {
    size_t websocket_clients = 0;
    uint64_t websocket_frames_dropped = 0;  // alerts/devices frames a slow client's queue overflowed
    size_t sessions = 0;
};

std::string render_metrics(const stats::Snapshot* s, const ApiGauges& api);

// Label value escaping (backslash, double quote, newline), as the format requires.
std::string escape_label(std::string_view v);

}  // namespace nms::api
