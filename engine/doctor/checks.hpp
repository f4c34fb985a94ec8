#pragma once
// The doctor's analysis: facts (from SystemProbe) or counters (from an EVE stats event, later
// the REST API) plus the configuration in, findings out. Pure functions: no I/O here.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "config/thread_plan.hpp"
#include "doctor/drop_counters.hpp"
#include "doctor/finding.hpp"
#include "doctor/system_probe.hpp"

namespace nms::doctor {

using config::ThreadPlan;  // config/thread_plan.hpp: shared with the engine
using config::plan_threads;

Findings check_interface(const InterfaceFacts& nic, const config::Config& cfg, const ThreadPlan& plan,
                         const HostFacts& host);
Findings check_host(const HostFacts& host, const config::Config& cfg, const ThreadPlan& plan);
// `speed_mbps`: the slowest known link speed of the captured interfaces, for ring advice.
Findings check_drops(const DropCounters& c, const config::Config& cfg, std::optional<int64_t> speed_mbps);

// Milliseconds of traffic at `speed_mbps` that `ring_bytes` absorbs.
double ring_milliseconds(uint64_t ring_bytes, int64_t speed_mbps);
// What a decoder event name ("ipv4_truncated") means and what, if anything, to do about it.
std::string explain_decode_event(const std::string& name);

}  // namespace nms::doctor
