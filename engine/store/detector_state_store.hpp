#pragma once
// DetectorStateStore: the detector_state table (0004) on the store thread's write connection.
// A detector's learned state (traffic_spike baselines) is one text per detector kind, replaced
// on each save; read back at start so the detector continues warm.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/sqlite.hpp"

namespace nms::store {

class DetectorStateStore {
 public:
    explicit DetectorStateStore(Database& db);
    // Inside a transaction; false on a failing statement.
    bool save(std::string_view kind, std::string_view state, int64_t now_s);

 private:
    Statement upsert_;
};

// Every saved state as (kind name, text).
std::vector<std::pair<std::string, std::string>> read_detector_states(Database& db);

}  // namespace nms::store
