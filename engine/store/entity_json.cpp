#include "store/entity_json.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>

#include "output/eve_format.hpp"

namespace nms::store {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void str(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
void num(Writer& w, double v) { w.Double(std::isfinite(v) ? v : 0.0); }
void ip(Writer& w, const IpAddr& a) {
    char buf[64];
    w.String(buf, static_cast<rapidjson::SizeType>(a.format(buf)));
}
std::string take(const rapidjson::StringBuffer& sb) { return std::string(sb.GetString(), sb.GetSize()); }

bool parse(rapidjson::Document& d, std::string_view json) {
    d.Parse(json.data(), json.size());
    return !d.HasParseError();
}
std::string text_of(const rapidjson::Value& v, const char* k) {
    if (!v.IsObject() || !v.HasMember(k) || !v[k].IsString()) return {};
    return std::string(v[k].GetString(), v[k].GetStringLength());
}
double num_of(const rapidjson::Value& v, const char* k) {
    return v.IsObject() && v.HasMember(k) && v[k].IsNumber() ? v[k].GetDouble() : 0.0;
}
uint64_t u64_of(const rapidjson::Value& v, const char* k) {
    return v.IsObject() && v.HasMember(k) && v[k].IsUint64() ? v[k].GetUint64() : 0;
}
IpAddr ip_of(const rapidjson::Value& v, const char* k) { return IpAddr::parse(text_of(v, k)).value_or(IpAddr{}); }

constexpr const char* kRelations[] = {"outbound", "inbound", "lateral"};

void explanation_object(Writer& w, const detect::Explanation& e) {
    w.StartObject();
    w.Key("metric"), str(w, e.metric);
    w.Key("value"), num(w, e.value);
    w.Key("threshold"), num(w, e.threshold);
    w.Key("window_s"), num(w, e.window_s);
    w.Key("baseline"), num(w, e.baseline);
    w.Key("zscore"), num(w, e.zscore);
    w.Key("text"), str(w, e.text);
    w.EndObject();
}

void evidence_array(Writer& w, const std::vector<detect::EvidenceField>& ev) {
    w.StartArray();
    for (const auto& f : ev) {
        w.StartObject();
        w.Key("key"), str(w, f.key);
        w.Key("value");
        if (const auto* d = std::get_if<double>(&f.value)) num(w, *d);
        else if (const auto* s = std::get_if<std::string>(&f.value)) str(w, *s);
        else {
            w.StartArray();
            for (const auto& s2 : std::get<std::vector<std::string>>(f.value)) str(w, s2);
            w.EndArray();
        }
        w.EndObject();
    }
    w.EndArray();
}

void contributors_array(Writer& w, const std::vector<detect::Contributor>& peers) {
    w.StartArray();
    for (const auto& p : peers) {
        w.StartObject();
        w.Key("ip"), ip(w, p.ip);
        w.Key("count"), w.Uint64(p.count);
        w.EndObject();
    }
    w.EndArray();
}

}  // namespace

std::string device_key_text(const devices::DeviceKey& k) {
    if (k.kind == devices::DeviceKey::kMac) {
        devices::Mac m;
        std::copy(k.b.begin(), k.b.begin() + 6, m.begin());
        return "mac:" + devices::mac_to_string(m);
    }
    IpAddr a;
    a.bytes = k.b;
    return "ip:" + a.to_string();
}

std::optional<devices::DeviceKey> device_key_parse(std::string_view text) {
    if (text.starts_with("mac:")) {
        const auto m = devices::mac_parse(text.substr(4));
        if (!m) return std::nullopt;
        return devices::DeviceKey::of_mac(*m);
    }
    if (text.starts_with("ip:")) {
        const auto a = IpAddr::parse(text.substr(3));
        if (!a) return std::nullopt;
        return devices::DeviceKey::of_ip(*a);
    }
    return std::nullopt;
}

std::string strings_json(const std::vector<std::string>& v) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartArray();
    for (const auto& s : v) str(w, s);
    w.EndArray();
    return take(sb);
}

std::vector<std::string> strings_from_json(std::string_view json) {
    std::vector<std::string> out;
    rapidjson::Document d;
    if (!parse(d, json) || !d.IsArray()) return out;
    for (const auto& v : d.GetArray())
        if (v.IsString()) out.emplace_back(v.GetString(), v.GetStringLength());
    return out;
}

std::string attributes_json(const std::map<std::string, std::vector<std::string>>& a) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    for (const auto& [k, vals] : a) {
        str(w, k);
        w.StartArray();
        for (const auto& v : vals) str(w, v);
        w.EndArray();
    }
    w.EndObject();
    return take(sb);
}

std::map<std::string, std::vector<std::string>> attributes_from_json(std::string_view json) {
    std::map<std::string, std::vector<std::string>> out;
    rapidjson::Document d;
    if (!parse(d, json) || !d.IsObject()) return out;
    for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it) {
        if (!it->value.IsArray()) continue;
        auto& vals = out[std::string(it->name.GetString(), it->name.GetStringLength())];
        for (const auto& v : it->value.GetArray())
            if (v.IsString()) vals.emplace_back(v.GetString(), v.GetStringLength());
    }
    return out;
}

std::string peers_json(const std::vector<devices::DevicePeer>& peers) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartArray();
    for (const auto& p : peers) {
        w.StartObject();
        w.Key("ip"), ip(w, p.ip);
        w.Key("relation"), w.String(kRelations[static_cast<size_t>(p.relation) % 3]);
        w.Key("connections"), w.Uint(p.connections);
        w.Key("packets_out"), w.Uint64(p.packets_out);
        w.Key("bytes_out"), w.Uint64(p.bytes_out);
        w.Key("packets_in"), w.Uint64(p.packets_in);
        w.Key("bytes_in"), w.Uint64(p.bytes_in);
        w.Key("rtt_us"), w.Uint(p.rtt_us);
        w.Key("name"), str(w, p.name);
        w.EndObject();
    }
    w.EndArray();
    return take(sb);
}

std::vector<devices::DevicePeer> peers_from_json(std::string_view json) {
    std::vector<devices::DevicePeer> out;
    rapidjson::Document d;
    if (!parse(d, json) || !d.IsArray()) return out;
    for (const auto& v : d.GetArray()) {
        devices::DevicePeer p;
        const auto a = IpAddr::parse(text_of(v, "ip"));
        if (!a) continue;
        p.ip = *a;
        const std::string rel = text_of(v, "relation");
        p.relation = rel == "inbound" ? devices::PeerRelation::kInbound
                     : rel == "lateral" ? devices::PeerRelation::kLateral
                                        : devices::PeerRelation::kOutbound;
        p.connections = static_cast<uint32_t>(u64_of(v, "connections"));
        p.packets_out = u64_of(v, "packets_out");
        p.bytes_out = u64_of(v, "bytes_out");
        p.packets_in = u64_of(v, "packets_in");
        p.bytes_in = u64_of(v, "bytes_in");
        p.rtt_us = static_cast<uint32_t>(u64_of(v, "rtt_us"));
        p.name = text_of(v, "name");
        out.push_back(std::move(p));
    }
    return out;
}

std::string explanation_json(const detect::Explanation& e) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    explanation_object(w, e);
    return take(sb);
}

detect::Explanation explanation_from_json(std::string_view json) {
    detect::Explanation e;
    rapidjson::Document d;
    if (!parse(d, json) || !d.IsObject()) return e;
    e.metric = text_of(d, "metric");
    e.value = num_of(d, "value");
    e.threshold = num_of(d, "threshold");
    e.window_s = num_of(d, "window_s");
    e.baseline = num_of(d, "baseline");
    e.zscore = num_of(d, "zscore");
    e.text = text_of(d, "text");
    return e;
}

std::string evidence_json(const std::vector<detect::EvidenceField>& ev) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    evidence_array(w, ev);
    return take(sb);
}

std::vector<detect::EvidenceField> evidence_from_json(std::string_view json) {
    std::vector<detect::EvidenceField> out;
    rapidjson::Document d;
    if (!parse(d, json) || !d.IsArray()) return out;
    for (const auto& v : d.GetArray()) {
        if (!v.IsObject() || !v.HasMember("value")) continue;
        detect::EvidenceField f;
        f.key = text_of(v, "key");
        const auto& val = v["value"];
        if (val.IsNumber()) f.value = val.GetDouble();
        else if (val.IsString()) f.value = std::string(val.GetString(), val.GetStringLength());
        else if (val.IsArray()) {
            std::vector<std::string> list;
            for (const auto& s : val.GetArray())
                if (s.IsString()) list.emplace_back(s.GetString(), s.GetStringLength());
            f.value = std::move(list);
        } else continue;
        out.push_back(std::move(f));
    }
    return out;
}

std::string contributors_json(const std::vector<detect::Contributor>& peers) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    contributors_array(w, peers);
    return take(sb);
}

std::vector<detect::Contributor> contributors_from_json(std::string_view json) {
    std::vector<detect::Contributor> out;
    rapidjson::Document d;
    if (!parse(d, json) || !d.IsArray()) return out;
    for (const auto& v : d.GetArray()) out.push_back({ip_of(v, "ip"), u64_of(v, "count")});
    return out;
}

std::string alert_log_line(const detect::Alert& a, detect::AlertPhase phase) {
    const auto& info = detect::alert_kind_info(a.kind);
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    w.Key("timestamp"), str(w, output::eve_timestamp(a.last_seen));
    w.Key("event_type"), w.String("alert");
    w.Key("phase"), w.String(detect::alert_phase_name(phase));
    w.Key("id"), w.Uint64(a.id);
    w.Key("kind"), w.String(info.name);
    w.Key("signature"), w.String(info.signature);
    w.Key("category"), w.String(info.category);
    w.Key("technique_id"), w.String(info.technique_id);
    w.Key("severity"), w.String(detect::severity_name(a.severity));
    if (a.has_src) w.Key("src_ip"), ip(w, a.src);
    if (!a.src_mac.empty()) w.Key("src_mac"), str(w, a.src_mac);
    if (a.has_victim) w.Key("dest_ip"), ip(w, a.victim);
    w.Key("victim_count"), w.Uint(a.victim_count);
    w.Key("top_peers"), contributors_array(w, a.top_peers);
    w.Key("first_seen"), str(w, output::eve_timestamp(a.first_seen));
    w.Key("last_seen"), str(w, output::eve_timestamp(a.last_seen));
    w.Key("updates"), w.Uint(a.updates);
    w.Key("ended"), w.Bool(a.ended);
    w.Key("explanation"), explanation_object(w, a.explanation);
    w.Key("evidence"), evidence_array(w, a.evidence);
    if (!a.evidence_pcap.empty()) w.Key("evidence_pcap"), str(w, a.evidence_pcap);
    w.EndObject();
    std::string out = take(sb);
    out.push_back('\n');
    return out;
}

}  // namespace nms::store
