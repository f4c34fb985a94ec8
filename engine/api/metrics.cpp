#include "api/metrics.hpp"

#include <cmath>
#include <cstdio>

namespace nms::api {
namespace {

class Exposition {
 public:
    // Starts a metric family: HELP and TYPE once, then samples.
    void family(const char* name, const char* type, const char* help) {
        out_ += "# HELP ";
        out_ += name;
        out_ += ' ';
        out_ += help;
        out_ += "\n# TYPE ";
        out_ += name;
        out_ += ' ';
        out_ += type;
        out_ += '\n';
    }
    void sample(std::string_view name, std::string_view labels, double v) {
        out_ += name;
        if (!labels.empty()) {
            out_ += '{';
            out_ += labels;
            out_ += '}';
        }
        char buf[40];
        if (!std::isfinite(v)) v = 0;
        // Integers print exactly up to 2^53; rates keep 6 significant digits of fraction.
        if (v == std::floor(v) && std::fabs(v) < 9.007199254740992e15)
            std::snprintf(buf, sizeof buf, " %.0f\n", v);
        else
            std::snprintf(buf, sizeof buf, " %.6g\n", v);
        out_ += buf;
    }
    void sample(std::string_view name, std::string_view labels, uint64_t v) {
        out_ += name;
        if (!labels.empty()) {
            out_ += '{';
            out_ += labels;
            out_ += '}';
        }
        out_ += ' ';
        out_ += std::to_string(v);
        out_ += '\n';
    }
    std::string take() { return std::move(out_); }

 private:
    std::string out_;
};

std::string label(std::string_view k, std::string_view v) {
    return std::string(k) + "=\"" + escape_label(v) + "\"";
}

}  // namespace

std::string escape_label(std::string_view v) {
    std::string out;
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

std::string render_metrics(const stats::Snapshot* s, const ApiGauges& api) {
    Exposition e;
    e.family("netmonsec_websocket_clients", "gauge", "WebSocket clients connected to the API.");
    e.sample("netmonsec_websocket_clients", "", uint64_t{api.websocket_clients});
    e.family("netmonsec_websocket_frames_dropped_total", "counter",
             "Alert and device frames dropped because a slow WebSocket client's queue was full.");
    e.sample("netmonsec_websocket_frames_dropped_total", "", api.websocket_frames_dropped);
    e.family("netmonsec_api_sessions", "gauge", "Live login sessions.");
    e.sample("netmonsec_api_sessions", "", uint64_t{api.sessions});
    if (s == nullptr) return e.take();

    e.family("netmonsec_uptime_seconds", "gauge", "Seconds since the engine started.");
    e.sample("netmonsec_uptime_seconds", "", s->uptime_s);
    const auto& t = s->traffic;
    e.family("netmonsec_packets_total", "counter", "Packets seen, by protocol class.");
    for (size_t i = 0; i < pipeline::kProtoClassCount; ++i)
        e.sample("netmonsec_packets_total", label("proto", pipeline::kProtoClassNames[i]), t.proto_packets[i]);
    e.family("netmonsec_bytes_total", "counter", "Wire bytes seen (L2 header included), by protocol class.");
    for (size_t i = 0; i < pipeline::kProtoClassCount; ++i)
        e.sample("netmonsec_bytes_total", label("proto", pipeline::kProtoClassNames[i]), t.proto_bytes[i]);
    e.family("netmonsec_packets_per_second", "gauge", "Packet rate over the last stats interval.");
    e.sample("netmonsec_packets_per_second", "", s->pps);
    // Prometheus wants base units: bytes, not bits.
    e.family("netmonsec_bytes_per_second", "gauge", "Wire byte rate over the last stats interval.");
    e.sample("netmonsec_bytes_per_second", "", s->bps / 8);
    e.family("netmonsec_protocol_bytes_per_second", "gauge", "Wire byte rate by protocol class.");
    for (size_t i = 0; i < pipeline::kProtoClassCount; ++i)
        e.sample("netmonsec_protocol_bytes_per_second", label("proto", pipeline::kProtoClassNames[i]),
                 s->proto_bps[i] / 8);

    e.family("netmonsec_drops_total", "counter", "Packets or records lost, by reason.");
    e.sample("netmonsec_drops_total", label("reason", "kernel"), s->kernel_drops);
    e.sample("netmonsec_drops_total", label("reason", "paused"), s->paused_drops);
    e.sample("netmonsec_drops_total", label("reason", "ring_full"), s->ring_full_drops);
    e.sample("netmonsec_drops_total", label("reason", "records"), s->records_dropped);
    e.sample("netmonsec_drops_total", label("reason", "dpi_events"), s->dpi.events_dropped);
    e.family("netmonsec_decode_events_total", "counter", "Decoder anomalies, by event.");
    for (size_t i = 1; i < decode::kDecodeEventCount; ++i)
        e.sample("netmonsec_decode_events_total", label("event", decode::kDecodeEventNames[i]), t.decode_events[i]);
    e.family("netmonsec_decode_invalid_total", "counter", "Packets that could not be decoded.");
    e.sample("netmonsec_decode_invalid_total", "", s->decode_invalid);

    e.family("netmonsec_capture_frames_total", "counter", "Frames read, by capture thread.");
    for (const auto& c : s->captures) e.sample("netmonsec_capture_frames_total", label("capture", c.name), c.frames);
    e.family("netmonsec_capture_paused", "gauge", "1 while a capture thread is paused (POST /api/v1/capture/stop).");
    for (const auto& c : s->captures)
        e.sample("netmonsec_capture_paused", label("capture", c.name), uint64_t{c.state == "paused" ? 1u : 0u});
    e.family("netmonsec_capture_kernel_drops_total", "counter", "Frames the kernel dropped, by capture thread.");
    for (const auto& c : s->captures)
        e.sample("netmonsec_capture_kernel_drops_total", label("capture", c.name), c.kernel_drops);
    e.family("netmonsec_thread_busy_ratio", "gauge", "Share of the last interval a thread spent working.");
    for (const auto& c : s->captures)
        e.sample("netmonsec_thread_busy_ratio", label("thread", "capture:" + c.name), c.busy_ratio);
    for (const auto& w : s->workers)
        e.sample("netmonsec_thread_busy_ratio", label("thread", "worker:" + std::to_string(w.id)), w.busy_ratio);
    e.family("netmonsec_worker_stale", "gauge", "1 when a worker did not answer the last stats tick.");
    for (const auto& w : s->workers)
        e.sample("netmonsec_worker_stale", label("worker", std::to_string(w.id)), uint64_t{w.stale ? 1u : 0u});

    e.family("netmonsec_active_flows", "gauge", "Flows in the flow tables.");
    e.sample("netmonsec_active_flows", "", s->active_flows);
    e.family("netmonsec_flow_table_capacity", "gauge", "Flow table slots, all workers.");
    e.sample("netmonsec_flow_table_capacity", "", s->flow_capacity);
    e.family("netmonsec_flows_created_total", "counter", "Flow records started.");
    e.sample("netmonsec_flows_created_total", "", s->flows.created);
    e.family("netmonsec_flows_ended_total", "counter", "Flow records ended, by reason.");
    e.sample("netmonsec_flows_ended_total", label("reason", "timeout"), s->flows.ended_timeout);
    e.sample("netmonsec_flows_ended_total", label("reason", "closed"), s->flows.ended_closed);
    e.sample("netmonsec_flows_ended_total", label("reason", "evicted"), s->flows.evicted);
    e.sample("netmonsec_flows_ended_total", label("reason", "active_timeout"), s->flows.active_timeouts);

    e.family("netmonsec_dpi_flows_total", "counter", "Flows by application-layer classification result.");
    e.sample("netmonsec_dpi_flows_total", label("result", "detected"), s->dpi.detected);
    e.sample("netmonsec_dpi_flows_total", label("result", "port"), s->dpi.port_labelled);
    e.sample("netmonsec_dpi_flows_total", label("result", "unknown"), s->dpi.unknown);
    e.sample("netmonsec_dpi_flows_total", label("result", "no_context"), s->dpi.no_context);
    e.family("netmonsec_dpi_events_total", "counter", "Application-layer transaction events.");
    e.sample("netmonsec_dpi_events_total", "", s->dpi.events);
    e.family("netmonsec_dpi_stream_gaps_total", "counter", "TCP stream bytes lost to missing segments.");
    e.sample("netmonsec_dpi_stream_gaps_total", "", s->dpi.stream_gaps);

    e.family("netmonsec_devices", "gauge", "Devices in the device table.");
    e.sample("netmonsec_devices", "", s->device_counters.devices);
    const auto& geo = s->device_counters.geo;
    e.family("netmonsec_geoip_lookups_total", "counter", "GeoIP/ASN lookups of external addresses, by result.");
    e.sample("netmonsec_geoip_lookups_total", label("result", "cache_hit"), geo.cache_hits);
    e.sample("netmonsec_geoip_lookups_total", label("result", "found"), geo.lookups - geo.not_found - geo.errors);
    e.sample("netmonsec_geoip_lookups_total", label("result", "not_found"), geo.not_found);
    e.sample("netmonsec_geoip_lookups_total", label("result", "error"), geo.errors);
    e.family("netmonsec_geoip_unavailable_databases", "gauge", "Configured GeoIP/ASN databases that could not be opened.");
    e.sample("netmonsec_geoip_unavailable_databases", "", geo.unavailable_dbs);
    e.family("netmonsec_alerts_total", "counter", "Alerts opened since start, by kind.");
    for (size_t i = 0; i < s->alert_counters.size(); ++i)
        e.sample("netmonsec_alerts_total", label("kind", detect::kAlertKinds[i].name), s->alert_counters[i].opened);

    const auto& st = s->store;
    e.family("netmonsec_store_enabled", "gauge", "1 when the history database is written.");
    e.sample("netmonsec_store_enabled", "", uint64_t{st.enabled ? 1u : 0u});
    if (st.enabled) {
        e.family("netmonsec_store_backlog", "gauge", "Records queued for the store, not yet committed.");
        e.sample("netmonsec_store_backlog", "", st.backlog);
        e.family("netmonsec_store_rows_written_total", "counter", "Rows committed to the history database.");
        e.sample("netmonsec_store_rows_written_total", "", st.rows_written);
        e.family("netmonsec_store_write_errors_total", "counter", "Store transactions that failed (disk full, I/O).");
        e.sample("netmonsec_store_write_errors_total", "", st.write_errors);
        e.family("netmonsec_store_dropped_total", "counter", "Records the store lost, by reason.");
        for (size_t i = 0; i < stats::kStoreDropReasonCount; ++i)
            e.sample("netmonsec_store_dropped_total", label("reason", stats::kStoreDropReasons[i]), st.dropped[i]);
        e.family("netmonsec_store_healthy", "gauge", "1 when the store lost nothing in the last minute.");
        e.sample("netmonsec_store_healthy", "", uint64_t{st.healthy ? 1u : 0u});
        e.family("netmonsec_store_disk_full", "gauge", "1 while the store's disk is full.");
        e.sample("netmonsec_store_disk_full", "", uint64_t{st.disk_full ? 1u : 0u});
        e.family("netmonsec_store_longest_step_seconds", "gauge", "Longest single step of the store thread.");
        e.sample("netmonsec_store_longest_step_seconds", "", static_cast<double>(st.max_step_us) / 1e6);
    }

    e.family("netmonsec_latency_seconds", "summary",
             "Latency by protocol (TCP handshake, application transactions), cumulative since start.");
    for (const auto& l : s->latency) {
        const std::string base = label("protocol", l.name);
        e.sample("netmonsec_latency_seconds", base + ",quantile=\"0.5\"", static_cast<double>(l.p50_us) / 1e6);
        e.sample("netmonsec_latency_seconds", base + ",quantile=\"0.95\"", static_cast<double>(l.p95_us) / 1e6);
        e.sample("netmonsec_latency_seconds", base + ",quantile=\"0.99\"", static_cast<double>(l.p99_us) / 1e6);
        e.sample("netmonsec_latency_seconds_sum", base, l.mean_us * static_cast<double>(l.count) / 1e6);
        e.sample("netmonsec_latency_seconds_count", base, l.count);
    }
    return e.take();
}

}  // namespace nms::api
