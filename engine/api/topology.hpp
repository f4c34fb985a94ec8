#pragma once
// The network as a D3 force graph: {nodes: [{id, ip, mac, name, vendor, os, local, bytes}],
// links: [{source, target, bytes, packets, protocols}]}, built from the devices' connection
// tables and the top flows. Bounded: at most `max_nodes` nodes and 4 * max_nodes links.
#include <string>
#include <vector>

#include "devices/device_table.hpp"
#include "pipeline/shard_snapshot.hpp"

namespace nms::api {

std::string render_topology(const std::vector<devices::Device>& devs, const std::vector<pipeline::FlowSummary>& flows,
                            size_t max_nodes);

}  // namespace nms::api
