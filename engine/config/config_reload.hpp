#pragma once
// SIGHUP support: which differences between the running and the newly loaded Config the
// engine can apply live, and which only take effect after a restart.
#include <string>
#include <vector>

#include "config/config.hpp"

namespace nms::config {

struct ReloadPlan {
    std::vector<std::string> live;     // changed keys applied without a restart
    std::vector<std::string> restart;  // changed keys ignored until the next start

    [[nodiscard]] bool empty() const noexcept { return live.empty() && restart.empty(); }
};

// Live: flow.timeouts.*, log.level, stats.top_talkers, output.eve_flow, output.eve_stats.
// Restart: everything in [capture] and [pipeline], plus table sizes, paths and the API.
// Keys are dotted names in file order.
ReloadPlan reloadable_differences(const Config& running, const Config& next);

// Copies only the live keys from `next` into `running` (the rest stays as started).
void apply_live(Config& running, const Config& next);

}  // namespace nms::config
