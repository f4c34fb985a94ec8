#pragma once
// The doctor's analysis: facts (from SystemProbe) or counters (from an EVE stats event, later
// the REST API) plus the configuration in, findings out. Pure functions: no I/O here.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "doctor/drop_counters.hpp"
#include "doctor/finding.hpp"
#include "doctor/system_probe.hpp"

namespace nms::doctor {

// Threads and CPUs the engine would use for this configuration (mirrors Engine::plan_cpus).
struct ThreadPlan {
    uint32_t interfaces = 0;
    uint32_t capture_threads = 0;  // fanout members over all interfaces
    uint32_t workers = 0;          // pipeline.workers, or the automatic count
    bool workers_auto = false;
    std::vector<int> capture_cpus;  // one per capture thread; -1 = not pinned
    std::vector<int> worker_cpus;   // one per worker; -1 = not pinned
    bool auto_pinned = false;       // no CPU lists configured: pinned in CPU order
};

ThreadPlan plan_threads(const config::Config& cfg, const std::vector<int>& online_cpus);

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
