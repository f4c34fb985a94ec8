#pragma once
// The JSON incident report (GET /api/v1/report): a time range, the alerts in it by kind and
// severity with their explanations, top talkers, latency, device count, drops, and one
// concrete recommendation per alert ("block 10.0.0.66 at the edge", ...).
#include <string>
#include <vector>

#include "stats/snapshot.hpp"
#include "store/entity_rows.hpp"

namespace nms::api {

struct ReportInput {
    int64_t since_s = 0, until_s = 0;     // wall clock range
    stats::SnapshotPtr snap;              // may be null
    bool have_store = false;
    std::vector<store::AlertCount> counts;   // by kind and severity, whole range
    std::vector<store::StoredAlert> alerts;  // the newest in the range (bounded)
    uint64_t stored_devices = 0;
};

// What an operator should do about this alert, naming the hosts (and port) involved.
std::string recommendation(const detect::Alert& a);
std::string render_report(const ReportInput& in);

}  // namespace nms::api
