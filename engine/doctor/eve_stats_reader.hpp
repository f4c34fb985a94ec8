#pragma once
// Finds the LAST "stats" event of an EVE JSON file (reading backwards, so a large file costs
// only its tail) and turns it into DropCounters.
#include <optional>
#include <string>
#include <string_view>

#include "doctor/drop_counters.hpp"

namespace nms::doctor {

// One EVE line -> counters; nullopt when it is not valid JSON or not a stats event.
std::optional<DropCounters> parse_stats_event(std::string_view line);

struct EveReadResult {
    std::optional<DropCounters> counters;
    std::string error;  // why there are no counters: unreadable file, no stats event, ...
};

EveReadResult read_last_stats_event(const std::string& path);

}  // namespace nms::doctor
