#pragma once
// ThreadPlan: how many capture threads and workers a configuration runs, and on which CPUs.
// One function for the engine (which starts them) and the doctor (which checks them against
// IRQ affinity), so the two can never disagree.
#include <cstdint>
#include <vector>

#include "config/config.hpp"

namespace nms::config {

struct ThreadPlan {
    uint32_t interfaces = 0;
    uint32_t capture_threads = 0;   // fanout members over all interfaces (1 for a file or demo)
    uint32_t workers = 0;           // pipeline.workers, or the automatic count
    bool workers_auto = false;
    std::vector<int> capture_cpus;  // one per capture thread; -1 = not pinned
    std::vector<int> worker_cpus;   // one per worker; -1 = not pinned
    bool auto_pinned = false;       // no CPU lists configured: pinned in CPU order
};

// Explicit CPU lists win (reused in a cycle when short). Without them, threads are pinned
// in CPU order only when each can have a CPU of its own: two busy threads pinned to one
// core do worse than letting the scheduler move them.
ThreadPlan plan_threads(const Config& cfg, const std::vector<int>& online_cpus);

}  // namespace nms::config
