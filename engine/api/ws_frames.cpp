#include "api/ws_frames.hpp"

#include "api/entity_views.hpp"
#include "output/eve_format.hpp"

namespace nms::api {
namespace {

Frame wrap(const char* type, const std::string& data) {
    std::string f;
    f.reserve(data.size() + 32);
    f += "{\"type\":\"";
    f += type;
    f += "\",\"data\":";
    f += data;
    f += '}';
    return std::make_shared<const std::string>(std::move(f));
}

// "{"timestamp":"...","items":[" — the frame's time is the snapshot's wall clock.
std::string items_head(const stats::Snapshot& snap) {
    return "{\"timestamp\":\"" + output::eve_timestamp(snap.wall_ns) + "\",\"items\":[";
}

}  // namespace

Frame stats_frame(const stats::Snapshot& snap) { return wrap("stats", render_stats(snap)); }

Frame flows_frame(const stats::Snapshot& snap) {
    ListQuery q;
    q.sort = "rate";  // interval_bytes: bytes this tick
    q.limit = kWsTopFlows;
    return wrap("flows", render_flows(snap, q));
}

Frame alerts_frame(const stats::Snapshot& snap, const std::vector<AlertChangeView>& changes) {
    std::string data = items_head(snap);
    bool first = true;
    for (const auto& c : changes) {
        store::StoredAlert s;
        s.alert = *c.alert;
        s.state = c.alert->ended ? "closed" : "open";
        if (!first) data += ',';
        first = false;
        data += "{\"phase\":\"";
        data += detect::alert_phase_name(c.phase);
        data += "\",\"alert\":";
        data += alert_object(s);
        data += '}';
    }
    data += "]}";
    return wrap("alerts", data);
}

Frame devices_frame(const stats::Snapshot& snap) {
    std::string data = items_head(snap);
    bool first = true;
    for (const auto& ev : snap.device_events) {
        if (!first) data += ',';
        first = false;
        data += "{\"discovered\":";
        data += ev.discovered ? "true" : "false";
        data += ",\"changes\":[";
        for (size_t i = 0; i < ev.changes.size(); ++i) {
            if (i) data += ',';
            data += '"' + ev.changes[i] + '"';  // fixed identifiers ("new_ip", "os_change", ...)
        }
        data += "],\"device\":";
        data += device_object(DeviceView{ev.device, true});
        data += '}';
    }
    data += "]}";
    return wrap("devices", data);
}

}  // namespace nms::api
