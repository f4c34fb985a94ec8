#include "api/json_writer.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "dpi/registry.hpp"
#include "flow/flow.hpp"
#include "output/eve_format.hpp"

namespace nms::api {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void str(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
void key(Writer& w, const char* k) { w.Key(k); }
// JSON has no NaN or infinity; a rate of an empty interval renders as 0.
void num(Writer& w, double v) { w.Double(std::isfinite(v) ? v : 0.0); }

void ip(Writer& w, const IpAddr& a) {
    char buf[64];
    const size_t n = a.format(buf);
    w.String(buf, static_cast<rapidjson::SizeType>(n));
}

void time(Writer& w, TimestampNs ns) { str(w, output::eve_timestamp(ns)); }

std::string take(rapidjson::StringBuffer& sb) { return std::string(sb.GetString(), sb.GetSize()); }

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool contains(std::string_view hay, const std::string& needle_lower) {
    return needle_lower.empty() || lower(hay).find(needle_lower) != std::string::npos;
}

std::string_view app_name(uint16_t id) {
    return id == 0 ? std::string_view("unknown") : dpi::builtin_registry().name_of(id);
}

struct FlowEnds {
    IpAddr cip, sip;
    uint16_t cport = 0, sport = 0;
};
FlowEnds ends(const flow::Flow& f) {
    return f.client_is_lo ? FlowEnds{f.key.addr_lo, f.key.addr_hi, f.key.port_lo, f.key.port_hi}
                          : FlowEnds{f.key.addr_hi, f.key.addr_lo, f.key.port_hi, f.key.port_lo};
}

void flow_object(Writer& w, const pipeline::FlowSummary& fs, double interval_s) {
    const flow::Flow& f = fs.flow;
    const FlowEnds e = ends(f);
    char pbuf[4];
    w.StartObject();
    key(w, "flow_id"), w.Uint64(f.flow_id);
    key(w, "src_ip"), ip(w, e.cip);
    key(w, "src_port"), w.Uint(e.cport);
    key(w, "dest_ip"), ip(w, e.sip);
    key(w, "dest_port"), w.Uint(e.sport);
    key(w, "proto"), w.String(output::proto_name(f.key.proto, pbuf));
    key(w, "app_proto"), str(w, app_name(f.app_proto));
    if (f.key.vlan) key(w, "vlan"), w.Uint(f.key.vlan);
    key(w, "pkts_toserver"), w.Uint(f.pkts[flow::kToServer]);
    key(w, "pkts_toclient"), w.Uint(f.pkts[flow::kToClient]);
    key(w, "bytes_toserver"), w.Uint64(f.bytes[flow::kToServer]);
    key(w, "bytes_toclient"), w.Uint64(f.bytes[flow::kToClient]);
    key(w, "start"), time(w, f.first_ns);
    key(w, "last"), time(w, f.last_ns);
    key(w, "state"), w.String(flow::eve_flow_state(f));
    key(w, "interval_bytes"), w.Uint64(fs.interval_bytes);
    key(w, "interval_packets"), w.Uint64(fs.interval_packets);
    key(w, "bps"), num(w, interval_s > 0 ? static_cast<double>(fs.interval_bytes) * 8 / interval_s : 0);
    if (f.has_rtt) key(w, "rtt_us"), w.Uint(f.rtt_client_us + f.rtt_server_us);
    w.EndObject();
}

void talker_object(Writer& w, const stats::Talker& t) {
    w.StartObject();
    key(w, "ip"), ip(w, t.ip);
    key(w, "bytes_out"), w.Uint64(t.bytes_out);
    key(w, "bytes_in"), w.Uint64(t.bytes_in);
    key(w, "packets_out"), w.Uint64(t.packets_out);
    key(w, "packets_in"), w.Uint64(t.packets_in);
    key(w, "flows"), w.Uint(t.flows);
    key(w, "bps"), num(w, t.bps);
    w.EndObject();
}

void latency_object(Writer& w, const stats::LatencyStat& l, bool with_server) {
    w.StartObject();
    key(w, "name"), str(w, l.name);
    if (with_server) key(w, "server"), ip(w, l.server);
    key(w, "count"), w.Uint64(l.count);
    key(w, "mean_us"), num(w, l.mean_us);
    key(w, "p50_us"), w.Uint64(l.p50_us);
    key(w, "p95_us"), w.Uint64(l.p95_us);
    key(w, "p99_us"), w.Uint64(l.p99_us);
    w.EndObject();
}

void latency_lists(Writer& w, const stats::Snapshot& s) {
    key(w, "protocols");
    w.StartArray();
    for (const auto& l : s.latency) latency_object(w, l, false);
    w.EndArray();
    key(w, "servers");
    w.StartArray();
    for (const auto& l : s.server_latency) latency_object(w, l, true);
    w.EndArray();
}

// Sorts, filters and pages `items`; writes {"total", "offset", "limit", "items": [...]}.
template <typename T, typename Less, typename Match, typename Emit>
void paged(Writer& w, std::vector<const T*> items, const ListQuery& q, Less less, Match match, Emit emit) {
    const std::string needle = lower(q.q);
    std::erase_if(items, [&](const T* t) { return !match(*t, needle); });
    std::stable_sort(items.begin(), items.end(),
                     [&](const T* a, const T* b) { return q.ascending ? less(*a, *b) : less(*b, *a); });
    key(w, "total"), w.Uint64(items.size());
    key(w, "offset"), w.Uint64(q.offset);
    key(w, "limit"), w.Uint64(q.limit);
    key(w, "items");
    w.StartArray();
    for (size_t i = q.offset; i < items.size() && i < q.offset + q.limit; ++i) emit(*items[i]);
    w.EndArray();
}

}  // namespace

bool valid_flow_sort(const std::string& k) {
    return k.empty() || k == "bytes" || k == "packets" || k == "rate" || k == "start" || k == "last";
}
bool valid_talker_sort(const std::string& k) {
    return k.empty() || k == "bytes" || k == "rate" || k == "packets" || k == "flows";
}

std::string render_stats(const stats::Snapshot& s) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    key(w, "seq"), w.Uint64(s.seq);
    key(w, "timestamp"), time(w, s.wall_ns);
    key(w, "packet_time"), time(w, s.packet_time);
    key(w, "uptime_s"), num(w, s.uptime_s);
    key(w, "interval_s"), num(w, s.interval_s);
    key(w, "rates"), w.StartObject();
    key(w, "pps"), num(w, s.pps);
    key(w, "bps"), num(w, s.bps);
    w.EndObject();
    const auto& t = s.traffic;
    key(w, "totals"), w.StartObject();
    key(w, "packets"), w.Uint64(t.packets);
    key(w, "bytes"), w.Uint64(t.bytes);
    key(w, "ipv4"), w.Uint64(t.ipv4);
    key(w, "ipv6"), w.Uint64(t.ipv6);
    key(w, "tunneled"), w.Uint64(t.tunneled);
    key(w, "fragments"), w.Uint64(t.fragments);
    w.EndObject();
    key(w, "protocols"), w.StartArray();
    for (size_t i = 0; i < pipeline::kProtoClassCount; ++i) {
        w.StartObject();
        key(w, "name"), w.String(pipeline::kProtoClassNames[i]);
        key(w, "packets"), w.Uint64(t.proto_packets[i]);
        key(w, "bytes"), w.Uint64(t.proto_bytes[i]);
        key(w, "pps"), num(w, s.proto_pps[i]);
        key(w, "bps"), num(w, s.proto_bps[i]);
        w.EndObject();
    }
    w.EndArray();
    key(w, "flows"), w.StartObject();
    key(w, "active"), w.Uint64(s.active_flows);
    key(w, "capacity"), w.Uint64(s.flow_capacity);
    key(w, "created"), w.Uint64(s.flows.created);
    key(w, "ended_timeout"), w.Uint64(s.flows.ended_timeout);
    key(w, "ended_closed"), w.Uint64(s.flows.ended_closed);
    key(w, "evicted"), w.Uint64(s.flows.evicted);
    key(w, "active_timeouts"), w.Uint64(s.flows.active_timeouts);
    w.EndObject();
    key(w, "dpi"), w.StartObject();
    key(w, "detected"), w.Uint64(s.dpi.detected);
    key(w, "port_labelled"), w.Uint64(s.dpi.port_labelled);
    key(w, "unknown"), w.Uint64(s.dpi.unknown);
    key(w, "no_context"), w.Uint64(s.dpi.no_context);
    key(w, "events"), w.Uint64(s.dpi.events);
    key(w, "events_dropped"), w.Uint64(s.dpi.events_dropped);
    w.EndObject();
    key(w, "drops"), w.StartObject();
    key(w, "kernel"), w.Uint64(s.kernel_drops);
    key(w, "paused"), w.Uint64(s.paused_drops);
    key(w, "ring_full"), w.Uint64(s.ring_full_drops);
    key(w, "records"), w.Uint64(s.records_dropped);
    key(w, "decode_invalid"), w.Uint64(s.decode_invalid);
    key(w, "decode_events"), w.StartObject();
    for (size_t i = 1; i < decode::kDecodeEventCount; ++i)  // 0 = "none"
        if (t.decode_events[i]) key(w, decode::kDecodeEventNames[i]), w.Uint64(t.decode_events[i]);
    w.EndObject();
    w.EndObject();
    key(w, "captures"), w.StartArray();
    for (const auto& c : s.captures) {
        w.StartObject();
        key(w, "name"), str(w, c.name);
        key(w, "state"), str(w, c.state);
        key(w, "frames"), w.Uint64(c.frames);
        key(w, "bytes"), w.Uint64(c.bytes);
        key(w, "kernel_packets"), w.Uint64(c.kernel_packets);
        key(w, "kernel_drops"), w.Uint64(c.kernel_drops);
        key(w, "paused_drops"), w.Uint64(c.paused_drops);
        key(w, "ring_full_drops"), w.Uint64(c.ring_full_drops);
        key(w, "truncated"), w.Uint64(c.truncated);
        key(w, "busy_ratio"), num(w, c.busy_ratio);
        w.EndObject();
    }
    w.EndArray();
    key(w, "workers"), w.StartArray();
    for (const auto& wk : s.workers) {
        w.StartObject();
        key(w, "id"), w.Uint(wk.id);
        key(w, "packets"), w.Uint64(wk.packets);
        key(w, "active_flows"), w.Uint(wk.active_flows);
        key(w, "flow_capacity"), w.Uint(wk.flow_capacity);
        key(w, "busy_ratio"), num(w, wk.busy_ratio);
        key(w, "ring_fill"), w.Uint64(wk.ring_fill);
        key(w, "ring_full_drops"), w.Uint64(wk.ring_full_drops);
        key(w, "stale"), w.Bool(wk.stale);
        w.EndObject();
    }
    w.EndArray();
    key(w, "top_talkers"), w.StartArray();
    for (const auto& tk : s.top_talkers) talker_object(w, tk);
    w.EndArray();
    key(w, "top_flows"), w.StartArray();
    for (const auto& f : s.top_flows) flow_object(w, f, s.interval_s);
    w.EndArray();
    key(w, "latency"), w.StartObject();
    latency_lists(w, s);
    w.EndObject();
    key(w, "devices"), w.StartObject();
    key(w, "known"), w.Uint64(s.device_counters.devices);
    key(w, "evicted"), w.Uint64(s.device_counters.evicted + s.device_counters.shard_evicted);
    const auto& geo = s.device_counters.geo;
    key(w, "geoip"), w.StartObject();
    key(w, "lookups"), w.Uint64(geo.lookups);
    key(w, "cache_hits"), w.Uint64(geo.cache_hits);
    key(w, "not_found"), w.Uint64(geo.not_found);
    key(w, "errors"), w.Uint64(geo.errors);
    key(w, "unavailable_dbs"), w.Uint64(geo.unavailable_dbs);
    w.EndObject();
    w.EndObject();
    key(w, "alerts"), w.StartObject();
    for (size_t i = 0; i < s.alert_counters.size(); ++i) key(w, detect::kAlertKinds[i].name), w.Uint64(s.alert_counters[i].opened);
    w.EndObject();
    const auto& st = s.store;
    key(w, "store"), w.StartObject();
    key(w, "enabled"), w.Bool(st.enabled);
    key(w, "healthy"), w.Bool(st.healthy);
    key(w, "disk_full"), w.Bool(st.disk_full);
    key(w, "backlog"), w.Uint64(st.backlog);
    key(w, "rows_written"), w.Uint64(st.rows_written);
    key(w, "batches"), w.Uint64(st.batches);
    key(w, "write_errors"), w.Uint64(st.write_errors);
    key(w, "longest_step_us"), w.Uint64(st.max_step_us);
    key(w, "dropped"), w.StartObject();
    for (size_t i = 0; i < stats::kStoreDropReasonCount; ++i) key(w, stats::kStoreDropReasons[i]), w.Uint64(st.dropped[i]);
    w.EndObject();
    key(w, "last_error"), str(w, st.last_error);
    w.EndObject();
    w.EndObject();
    return take(sb);
}

std::string render_history(const stats::Snapshot& s, uint32_t window_s, uint32_t step_s) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    key(w, "window_s"), w.Uint(window_s);
    key(w, "step_s"), w.Uint(step_s);
    key(w, "points"), w.StartArray();
    if (s.history && !s.history->empty()) {
        const auto& h = *s.history;
        const TimestampNs newest = h.back().wall_ns;
        const TimestampNs from = newest > uint64_t{window_s} * kNsPerSec ? newest - uint64_t{window_s} * kNsPerSec : 0;
        const uint64_t step_ns = uint64_t{step_s} * kNsPerSec;
        size_t i = 0;
        while (i < h.size() && h[i].wall_ns <= from) ++i;
        // One bucket per step: mean rates, last active-flow count, summed drops.
        while (i < h.size()) {
            const TimestampNs bucket = h[i].wall_ns - (h[i].wall_ns - from) % step_ns;
            double pps = 0, bps = 0;
            uint64_t drops = 0, flows = 0, n = 0;
            for (; i < h.size() && h[i].wall_ns < bucket + step_ns; ++i, ++n) {
                pps += h[i].pps;
                bps += h[i].bps;
                drops += h[i].drops;
                flows = h[i].active_flows;
            }
            w.StartObject();
            key(w, "timestamp"), time(w, bucket + step_ns);
            key(w, "pps"), num(w, pps / static_cast<double>(n));
            key(w, "bps"), num(w, bps / static_cast<double>(n));
            key(w, "active_flows"), w.Uint64(flows);
            key(w, "drops"), w.Uint64(drops);
            w.EndObject();
        }
    }
    w.EndArray();
    w.EndObject();
    return take(sb);
}

std::string render_flows(const stats::Snapshot& s, const ListQuery& q) {
    using FS = pipeline::FlowSummary;
    std::vector<const FS*> items;
    for (const auto& f : s.top_flows) items.push_back(&f);
    const std::string& k = q.sort;
    auto less = [&k](const FS& a, const FS& b) {
        if (k == "packets") return a.flow.total_pkts() < b.flow.total_pkts();
        if (k == "rate") return a.interval_bytes < b.interval_bytes;
        if (k == "start") return a.flow.first_ns < b.flow.first_ns;
        if (k == "last") return a.flow.last_ns < b.flow.last_ns;
        return a.flow.total_bytes() < b.flow.total_bytes();
    };
    auto match = [](const FS& fs, const std::string& needle) {
        if (needle.empty()) return true;
        const FlowEnds e = ends(fs.flow);
        char pbuf[4];
        const std::string text = e.cip.to_string() + " " + std::to_string(e.cport) + " " + e.sip.to_string() +
                                 " " + std::to_string(e.sport) + " " + output::proto_name(fs.flow.key.proto, pbuf) +
                                 " " + std::string(app_name(fs.flow.app_proto));
        return contains(text, needle);
    };
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    key(w, "timestamp"), time(w, s.wall_ns);
    paged<FS>(w, std::move(items), q, less, match, [&](const FS& f) { flow_object(w, f, s.interval_s); });
    w.EndObject();
    return take(sb);
}

std::string render_top_talkers(const stats::Snapshot& s, const ListQuery& q) {
    using T = stats::Talker;
    std::vector<const T*> items;
    for (const auto& t : s.top_talkers) items.push_back(&t);
    const std::string& k = q.sort;
    auto less = [&k](const T& a, const T& b) {
        if (k == "rate") return a.bps < b.bps;
        if (k == "packets") return a.packets_in + a.packets_out < b.packets_in + b.packets_out;
        if (k == "flows") return a.flows < b.flows;
        return a.bytes_in + a.bytes_out < b.bytes_in + b.bytes_out;
    };
    auto match = [](const T& t, const std::string& needle) { return contains(t.ip.to_string(), needle); };
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    key(w, "timestamp"), time(w, s.wall_ns);
    paged<T>(w, std::move(items), q, less, match, [&](const T& t) { talker_object(w, t); });
    w.EndObject();
    return take(sb);
}

std::string render_latency(const stats::Snapshot& s) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    key(w, "timestamp"), time(w, s.wall_ns);
    latency_lists(w, s);
    w.EndObject();
    return take(sb);
}

std::string render_interfaces(const std::vector<capture::InterfaceInfo>& ifs, const stats::Snapshot* s) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    key(w, "items"), w.StartArray();
    for (const auto& i : ifs) {
        w.StartObject();
        key(w, "name"), str(w, i.name);
        key(w, "index"), w.Uint(i.index);
        key(w, "up"), w.Bool(i.up);
        key(w, "running"), w.Bool(i.running);
        key(w, "mac"), str(w, i.mac);
        key(w, "mtu"), w.Uint(i.mtu);
        key(w, "link_type"), str(w, i.link_type);
        key(w, "speed_mbps"), w.Int64(i.speed_mbps);
        // Capture counters of every capture thread on this interface (fanout members add up).
        bool captured = false, paused = false;
        uint64_t frames = 0, bytes = 0, kdrops = 0, rdrops = 0, pdrops = 0;
        if (s)
            for (const auto& c : s->captures)
                if (c.name == i.name || c.name.starts_with(i.name + "/") || c.name.starts_with(i.name + "#")) {
                    captured = true;
                    paused |= c.state == "paused";
                    pdrops += c.paused_drops;
                    frames += c.frames;
                    bytes += c.bytes;
                    kdrops += c.kernel_drops;
                    rdrops += c.ring_full_drops;
                }
        key(w, "captured"), w.Bool(captured);
        if (captured) {
            key(w, "capture"), w.StartObject();
            key(w, "state"), w.String(paused ? "paused" : "running");
            key(w, "frames"), w.Uint64(frames);
            key(w, "bytes"), w.Uint64(bytes);
            key(w, "kernel_drops"), w.Uint64(kdrops);
            key(w, "ring_full_drops"), w.Uint64(rdrops);
            key(w, "paused_drops"), w.Uint64(pdrops);
            w.EndObject();
        }
        w.EndObject();
    }
    w.EndArray();
    key(w, "captures"), w.StartArray();
    if (s)
        for (const auto& c : s->captures) {
            w.StartObject();
            key(w, "name"), str(w, c.name);
            key(w, "state"), str(w, c.state);
            key(w, "frames"), w.Uint64(c.frames);
            key(w, "kernel_drops"), w.Uint64(c.kernel_drops);
            key(w, "paused_drops"), w.Uint64(c.paused_drops);
            key(w, "ring_full_drops"), w.Uint64(c.ring_full_drops);
            w.EndObject();
        }
    w.EndArray();
    w.EndObject();
    return take(sb);
}

std::string error_json(const std::string& message) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    key(w, "error"), str(w, message);
    w.EndObject();
    return take(sb);
}

}  // namespace nms::api
