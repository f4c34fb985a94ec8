#pragma once
// The WebSocket frames of /api/v1/ws, one per topic, each {"type": TOPIC, "data": {...}}.
// Rendered once per stats tick for every client (Broadcaster); the shapes are documented in
// openapi.json (components.schemas.Ws*Frame).
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "detect/alert.hpp"
#include "stats/snapshot.hpp"

namespace nms::api {

enum class Topic : uint8_t { kStats = 0, kAlerts, kDevices, kFlows, kCount };
inline constexpr const char* kTopicNames[] = {"stats", "alerts", "devices", "flows"};
inline constexpr size_t kTopicCount = static_cast<size_t>(Topic::kCount);
// Flows sent per "flows" frame: the busiest of the tick (what a live table shows).
inline constexpr size_t kWsTopFlows = 25;

using Frame = std::shared_ptr<const std::string>;

// One alert that was opened, updated or ended since the previous tick.
struct AlertChangeView {
    const detect::Alert* alert = nullptr;
    detect::AlertPhase phase = detect::AlertPhase::kOpened;
};

// {"type":"stats","data":<GET /api/v1/stats>}
Frame stats_frame(const stats::Snapshot& snap);
// {"type":"flows","data":<GET /api/v1/flows?sort=rate&limit=25>}: top flows by bytes this tick.
Frame flows_frame(const stats::Snapshot& snap);
// {"type":"alerts","data":{"timestamp","items":[{"phase", "alert":<alert object>}]}}
Frame alerts_frame(const stats::Snapshot& snap, const std::vector<AlertChangeView>& changes);
// {"type":"devices","data":{"timestamp","items":[{"discovered","changes","device":<device object>}]}}
Frame devices_frame(const stats::Snapshot& snap);

}  // namespace nms::api
