#pragma once
// JSON views of a Snapshot for /api/v1 (RapidJSON, rendered into a string). Lists take a
// ListQuery: sort key, substring filter, limit/offset; every list response carries `total`
// (matches before paging) so clients can page.
#include <cstdint>
#include <string>
#include <vector>

#include "capture/interfaces.hpp"
#include "stats/snapshot.hpp"

namespace nms::api {

struct ListQuery {
    std::string sort;        // route-specific key; "" = the default order
    bool ascending = false;
    std::string q;           // case-insensitive substring filter
    size_t limit = 100;
    size_t offset = 0;
};

// The whole current view (rates, protocols, flows, drops, captures, workers, top lists, latency).
std::string render_stats(const stats::Snapshot& s);
// History points of the last `window_s` seconds, averaged into buckets of `step_s` seconds.
std::string render_history(const stats::Snapshot& s, uint32_t window_s, uint32_t step_s);
// Valid sort keys: bytes (default), packets, rate, start, last. Filter on IPs, ports, protocols.
std::string render_flows(const stats::Snapshot& s, const ListQuery& q);
// Valid sort keys: bytes (default), rate, packets, flows. Filter on the address.
std::string render_top_talkers(const stats::Snapshot& s, const ListQuery& q);
std::string render_latency(const stats::Snapshot& s);
std::string render_interfaces(const std::vector<capture::InterfaceInfo>& ifs, const stats::Snapshot* s);

bool valid_flow_sort(const std::string& key);
bool valid_talker_sort(const std::string& key);

// A small JSON object {"error": message} (message is escaped).
std::string error_json(const std::string& message);

}  // namespace nms::api
