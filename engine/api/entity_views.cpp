#include "api/entity_views.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <ctime>

#include "output/eve_format.hpp"
#include "store/entity_json.hpp"

namespace nms::api {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void str(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
void raw(Writer& w, const std::string& json, rapidjson::Type t) {
    w.RawValue(json.data(), json.size(), t);
}
std::string take(const rapidjson::StringBuffer& sb) { return std::string(sb.GetString(), sb.GetSize()); }

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool device_matches(const devices::Device& d, const std::string& needle) {
    if (needle.empty()) return true;
    const auto has = [&](std::string_view s) { return lower(s).find(needle) != std::string::npos; };
    if (has(d.mac) || has(d.vendor) || has(d.os)) return true;
    for (const auto& ip : d.ips)
        if (has(ip.to_string())) return true;
    for (const auto& h : d.hostnames)
        if (has(h)) return true;
    return false;
}

}  // namespace

std::string utc_seconds_text(int64_t unix_s) {
    const auto t = static_cast<time_t>(unix_s);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

bool valid_device_sort(const std::string& k) {
    return k.empty() || k == "bytes" || k == "packets" || k == "last" || k == "first";
}

std::string device_object(const DeviceView& v) {
    std::string body = output::device_json(v.device);
    // The key text is hex digits, dots and colons only: no escaping needed.
    const std::string head = "{\"id\":\"" + store::device_key_text(v.device.key) + "\",\"live\":" +
                             (v.live ? "true" : "false") + (body.size() > 2 ? "," : "");
    return head + body.substr(1);
}

std::string render_devices(const std::vector<DeviceView>& devs, const ListQuery& q) {
    const std::string needle = lower(q.q);
    std::vector<const DeviceView*> items;
    for (const auto& d : devs)
        if (device_matches(d.device, needle)) items.push_back(&d);
    const auto value = [&](const devices::Device& d) -> uint64_t {
        if (q.sort == "packets") return d.packets_in + d.packets_out;
        if (q.sort == "last") return d.last_ns;
        if (q.sort == "first") return d.first_ns;
        return d.activity();
    };
    std::stable_sort(items.begin(), items.end(), [&](const DeviceView* a, const DeviceView* b) {
        return q.ascending ? value(a->device) < value(b->device) : value(a->device) > value(b->device);
    });
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    w.Key("total"), w.Uint64(items.size());
    w.Key("offset"), w.Uint64(q.offset);
    w.Key("limit"), w.Uint64(q.limit);
    w.Key("items");
    w.StartArray();
    for (size_t i = q.offset; i < items.size() && i < q.offset + q.limit; ++i)
        raw(w, device_object(*items[i]), rapidjson::kObjectType);
    w.EndArray();
    w.EndObject();
    return take(sb);
}

std::string render_device_detail(const DeviceView& d, const std::vector<store::DeviceHistoryRow>& history) {
    std::string obj = device_object(d);
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartArray();
    for (const auto& h : history) {
        w.StartObject();
        w.Key("field"), str(w, h.field);
        w.Key("value"), str(w, h.value);
        w.Key("evidence"), str(w, h.evidence);
        w.Key("first_seen"), str(w, output::eve_timestamp(static_cast<TimestampNs>(h.first_ns)));
        w.Key("last_seen"), str(w, output::eve_timestamp(static_cast<TimestampNs>(h.last_ns)));
        w.EndObject();
    }
    w.EndArray();
    obj.pop_back();  // '}'
    return obj + ",\"history\":" + take(sb) + "}";
}

std::string render_stored_flows(const store::FlowPage& page) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    char pbuf[4];
    w.StartObject();
    w.Key("items");
    w.StartArray();
    for (const auto& f : page.rows) {
        w.StartObject();
        w.Key("id"), w.Int64(f.id);
        w.Key("flow_id"), w.Uint64(f.flow_id);
        w.Key("start"), str(w, output::eve_timestamp(static_cast<TimestampNs>(f.start_ns)));
        w.Key("end"), str(w, output::eve_timestamp(static_cast<TimestampNs>(f.end_ns)));
        w.Key("src_ip"), str(w, f.src_ip);
        w.Key("src_port"), w.Uint(f.src_port);
        w.Key("dest_ip"), str(w, f.dest_ip);
        w.Key("dest_port"), w.Uint(f.dest_port);
        w.Key("proto"), w.String(output::proto_name(f.proto, pbuf));
        w.Key("vlan"), w.Uint(f.vlan);
        w.Key("app_proto"), str(w, f.app_proto.empty() ? std::string_view("unknown") : std::string_view(f.app_proto));
        w.Key("pkts_toserver"), w.Uint64(f.pkts_toserver);
        w.Key("pkts_toclient"), w.Uint64(f.pkts_toclient);
        w.Key("bytes_toserver"), w.Uint64(f.bytes_toserver);
        w.Key("bytes_toclient"), w.Uint64(f.bytes_toclient);
        w.Key("state"), str(w, f.state);
        w.Key("reason"), str(w, f.reason);
        if (f.tcp_flags) w.Key("tcp_flags"), w.Uint(*f.tcp_flags);
        if (f.rtt_us) w.Key("rtt_us"), w.Uint(*f.rtt_us);
        if (f.retransmits) w.Key("retransmits"), w.Uint(*f.retransmits);
        w.EndObject();
    }
    w.EndArray();
    w.Key("more"), w.Bool(page.more);
    w.Key("next_cursor");
    if (page.more) str(w, std::to_string(page.next_cursor_end_ns) + ":" + std::to_string(page.next_cursor_id));
    else w.Null();
    w.EndObject();
    return take(sb);
}

std::string alert_object(const store::StoredAlert& s) {
    const detect::Alert& a = s.alert;
    const auto& info = detect::alert_kind_info(a.kind);
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    w.Key("id"), w.Uint64(a.id);
    w.Key("kind"), w.String(a.kind < detect::AlertKind::kCount ? info.name : "unknown");
    w.Key("signature"), w.String(info.signature);
    w.Key("category"), w.String(info.category);
    w.Key("technique_id"), w.String(info.technique_id);
    w.Key("technique_name"), w.String(info.technique_name);
    w.Key("severity"), w.String(detect::severity_name(a.severity));
    w.Key("state"), str(w, s.state);
    w.Key("src_ip");
    if (a.has_src) str(w, a.src.to_string());
    else w.Null();
    w.Key("src_mac"), str(w, a.src_mac);
    w.Key("victim_ip");
    if (a.has_victim) str(w, a.victim.to_string());
    else w.Null();
    w.Key("victim_count"), w.Uint(a.victim_count);
    w.Key("top_peers"), raw(w, store::contributors_json(a.top_peers), rapidjson::kArrayType);
    w.Key("first_seen"), str(w, output::eve_timestamp(a.first_seen));
    w.Key("last_seen"), str(w, output::eve_timestamp(a.last_seen));
    w.Key("updates"), w.Uint(a.updates);
    w.Key("ended"), w.Bool(a.ended);
    w.Key("explanation"), raw(w, store::explanation_json(a.explanation), rapidjson::kObjectType);
    w.Key("evidence"), raw(w, store::evidence_json(a.evidence), rapidjson::kArrayType);
    w.Key("has_pcap"), w.Bool(!a.evidence_pcap.empty());
    w.Key("acknowledged_by"), str(w, s.acknowledged_by);
    w.Key("acknowledged_at");
    if (s.acknowledged_s) str(w, utc_seconds_text(s.acknowledged_s));
    else w.Null();
    w.EndObject();
    return take(sb);
}

std::string render_alerts(const std::vector<store::StoredAlert>& items, uint64_t total, size_t offset, size_t limit) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    w.Key("total"), w.Uint64(total);
    w.Key("offset"), w.Uint64(offset);
    w.Key("limit"), w.Uint64(limit);
    w.Key("items");
    w.StartArray();
    for (const auto& a : items) raw(w, alert_object(a), rapidjson::kObjectType);
    w.EndArray();
    w.EndObject();
    return take(sb);
}

std::string render_bans(const std::vector<store::BanRecord>& bans, int64_t now_s) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    w.Key("total"), w.Uint64(bans.size());
    w.Key("items");
    w.StartArray();
    for (const auto& b : bans) {
        w.StartObject();
        w.Key("ip"), str(w, b.ip);
        w.Key("alert_id");
        if (b.alert_id) w.Uint64(b.alert_id);
        else w.Null();
        w.Key("kind"), str(w, b.kind);
        w.Key("created"), str(w, utc_seconds_text(b.created_s));
        w.Key("expires");
        if (b.expires_s) str(w, utc_seconds_text(b.expires_s));
        else w.Null();
        w.Key("revoked");
        if (b.revoked_s) str(w, utc_seconds_text(b.revoked_s));
        else w.Null();
        w.Key("dry_run"), w.Bool(b.dry_run);
        w.Key("active"), w.Bool(b.active(now_s));
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return take(sb);
}

std::string render_suppressions(const std::vector<Suppression>& rules) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    w.Key("total"), w.Uint64(rules.size());
    w.Key("items");
    w.StartArray();
    for (const auto& r : rules) {
        w.StartObject();
        w.Key("id"), w.Uint64(r.id);
        w.Key("kind"), str(w, r.kind);
        w.Key("ip"), str(w, r.ip);
        w.Key("reason"), str(w, r.reason);
        w.Key("created_by"), str(w, r.created_by);
        w.Key("created"), str(w, utc_seconds_text(r.created_s));
        w.Key("expires");
        if (r.expires_s) str(w, utc_seconds_text(r.expires_s));
        else w.Null();
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return take(sb);
}

}  // namespace nms::api
