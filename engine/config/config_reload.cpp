#include "config/config_reload.hpp"

#include "config/config_schema.hpp"

namespace nms::config {

ReloadPlan reloadable_differences(const Config& running, const Config& next) {
    ReloadPlan plan;
    for (const detail::KeySpec& spec : detail::key_specs()) {
        if (spec.show(running) == spec.show(next)) continue;
        (spec.reload == detail::Reload::kLive ? plan.live : plan.restart).emplace_back(spec.key);
    }
    return plan;
}

void apply_live(Config& running, const Config& next) {
    for (const detail::KeySpec& spec : detail::key_specs()) {
        if (spec.reload == detail::Reload::kLive) spec.copy(next, running);
    }
}

}  // namespace nms::config
