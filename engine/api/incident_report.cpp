#include "api/incident_report.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <map>
#include <set>

#include "api/entity_views.hpp"
#include "common/time.hpp"
#include "output/eve_format.hpp"

namespace nms::api {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void str(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

// The attacked port when a detector recorded one ("dst_port", "port", "top_ports").
std::string port_of(const detect::Alert& a) {
    for (const auto& f : a.evidence) {
        if (f.key != "dst_port" && f.key != "port" && f.key != "victim_port" && f.key != "top_ports") continue;
        if (const auto* d = std::get_if<double>(&f.value); d && *d > 0 && *d < 65536)
            return std::to_string(static_cast<unsigned>(*d));
        if (const auto* s = std::get_if<std::string>(&f.value); s && !s->empty()) return *s;
        if (const auto* l = std::get_if<std::vector<std::string>>(&f.value); l && !l->empty()) return l->front();
    }
    return {};
}

}  // namespace

std::string recommendation(const detect::Alert& a) {
    using K = detect::AlertKind;
    const std::string src = a.has_src ? a.src.to_string() : (a.src_mac.empty() ? "the source" : a.src_mac);
    const std::string victim = a.has_victim ? a.victim.to_string() : "the targeted host";
    const std::string port = port_of(a);
    const std::string target = victim + (port.empty() ? "" : ":" + port);
    const std::string victims = std::to_string(a.victim_count);
    switch (a.kind) {
        case K::kPortScanVertical:
            return "Block " + src + " at the edge and check which of the scanned services on " + victim +
                   " need to be reachable from it.";
        case K::kPortScanHorizontal:
        case K::kHostSweep:
            return "Block " + src + " at the edge; it probed " + victims +
                   " hosts. If it is a local host, isolate it and check it for compromise.";
        case K::kSynFlood:
            return "Rate-limit SYN to " + target + " (SYN cookies, a hashlimit rule) and block " + src + " at the edge.";
        case K::kIcmpFlood:
            return "Rate-limit ICMP to " + victim + " and block " + src + " at the edge.";
        case K::kUdpFlood:
            return "Rate-limit UDP to " + target + " and block " + src + " at the edge.";
        case K::kDdos:
            return "Traffic to " + victim + " comes from " + victims +
                   " sources: ask the upstream provider to filter it and rate-limit at the edge.";
        case K::kArpScan:
            return "Find the device " + src + " that swept the LAN with ARP and check why it scans.";
        case K::kArpSpoof:
            return "Verify the IP-MAC binding of " + victim + ": locate MAC " + (a.src_mac.empty() ? src : a.src_mac) +
                   ", pin a static ARP entry and enable Dynamic ARP Inspection on the switch.";
        case K::kDnsTunnel:
            return "Check DNS tunnelling host " + src + ": review its queries in the evidence and block the domain at "
                   "the resolver.";
        case K::kNxdomainStorm:
            return "Check host " + src + " for DGA malware or a broken resolver setting; sinkhole the failing domains.";
        case K::kExfiltration:
            return "Check what " + src + " uploaded to " + victim + "; block " + victim +
                   " at the edge if the destination is not known.";
        case K::kLateralMovement:
            return "Review the admin sessions from " + src + " to " + victims +
                   " hosts; isolate it and reset its credentials if they were not expected.";
        case K::kBruteForce:
            return "Block " + src + " at the edge and enforce login lockout or key-only login on " + target + ".";
        case K::kTrafficSpike:
            return "Find the talkers behind the spike (top talkers below) and rate-limit them if the traffic is unwanted.";
        case K::kNewDevice:
            return "Confirm that the new device " + src + " is authorised on this network.";
        case K::kCount:
            break;
    }
    return "Review the alert's evidence.";
}

std::string render_report(const ReportInput& in) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    w.Key("generated_at"), str(w, utc_seconds_text(static_cast<int64_t>(wall_ns() / kNsPerSec)));
    w.Key("range"), w.StartObject();
    w.Key("since"), str(w, utc_seconds_text(in.since_s));
    w.Key("until"), str(w, utc_seconds_text(in.until_s));
    w.EndObject();
    w.Key("history_available"), w.Bool(in.have_store);

    std::map<std::string, uint64_t> by_kind, by_severity;
    uint64_t total = 0;
    for (const auto& c : in.counts) {
        by_kind[c.kind] += c.count;
        by_severity[c.severity] += c.count;
        total += c.count;
    }
    if (in.counts.empty()) {  // no store: what the live list holds
        for (const auto& a : in.alerts) {
            ++by_kind[detect::alert_kind_name(a.alert.kind)];
            ++by_severity[detect::severity_name(a.alert.severity)];
            ++total;
        }
    }
    w.Key("alerts"), w.StartObject();
    w.Key("total"), w.Uint64(total);
    w.Key("by_kind"), w.StartArray();
    for (const auto& [k, n] : by_kind) {
        w.StartObject();
        w.Key("kind"), str(w, k);
        w.Key("count"), w.Uint64(n);
        w.EndObject();
    }
    w.EndArray();
    w.Key("by_severity"), w.StartArray();
    for (const auto& [k, n] : by_severity) {
        w.StartObject();
        w.Key("severity"), str(w, k);
        w.Key("count"), w.Uint64(n);
        w.EndObject();
    }
    w.EndArray();
    w.Key("items"), w.StartArray();
    for (const auto& s : in.alerts) {
        const auto& a = s.alert;
        w.StartObject();
        w.Key("id"), w.Uint64(a.id);
        w.Key("kind"), w.String(detect::alert_kind_name(a.kind));
        w.Key("severity"), w.String(detect::severity_name(a.severity));
        w.Key("state"), str(w, s.state);
        w.Key("src_ip");
        if (a.has_src) str(w, a.src.to_string());
        else w.Null();
        w.Key("victim_ip");
        if (a.has_victim) str(w, a.victim.to_string());
        else w.Null();
        w.Key("first_seen"), str(w, output::eve_timestamp(a.first_seen));
        w.Key("last_seen"), str(w, output::eve_timestamp(a.last_seen));
        w.Key("explanation"), str(w, a.explanation.text);
        w.Key("recommendation"), str(w, recommendation(a));
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();

    // One line per distinct action, most severe alerts first.
    w.Key("recommendations"), w.StartArray();
    std::set<std::string> seen;
    for (int sev = static_cast<int>(detect::Severity::kCritical); sev >= 0; --sev) {
        for (const auto& s : in.alerts) {
            if (static_cast<int>(s.alert.severity) != sev) continue;
            const std::string text = recommendation(s.alert);
            if (!seen.insert(text).second) continue;
            w.StartObject();
            w.Key("alert_id"), w.Uint64(s.alert.id);
            w.Key("kind"), w.String(detect::alert_kind_name(s.alert.kind));
            w.Key("severity"), w.String(detect::severity_name(s.alert.severity));
            w.Key("text"), str(w, text);
            w.EndObject();
        }
    }
    w.EndArray();

    const stats::Snapshot* snap = in.snap.get();
    w.Key("top_talkers"), w.StartArray();
    if (snap) {
        for (const auto& t : snap->top_talkers) {
            w.StartObject();
            w.Key("ip"), str(w, t.ip.to_string());
            w.Key("bytes_out"), w.Uint64(t.bytes_out);
            w.Key("bytes_in"), w.Uint64(t.bytes_in);
            w.Key("flows"), w.Uint(t.flows);
            w.EndObject();
        }
    }
    w.EndArray();
    w.Key("latency"), w.StartArray();
    if (snap) {
        for (const auto& l : snap->latency) {
            w.StartObject();
            w.Key("name"), str(w, l.name);
            w.Key("count"), w.Uint64(l.count);
            w.Key("mean_us"), w.Double(std::isfinite(l.mean_us) ? l.mean_us : 0.0);
            w.Key("p50_us"), w.Uint64(l.p50_us);
            w.Key("p95_us"), w.Uint64(l.p95_us);
            w.Key("p99_us"), w.Uint64(l.p99_us);
            w.EndObject();
        }
    }
    w.EndArray();
    w.Key("devices"), w.Uint64(snap ? std::max<uint64_t>(snap->device_counters.devices, in.stored_devices)
                                    : in.stored_devices);
    w.Key("drops"), w.StartObject();
    w.Key("kernel"), w.Uint64(snap ? snap->kernel_drops : 0);
    w.Key("paused"), w.Uint64(snap ? snap->paused_drops : 0);
    w.Key("ring_full"), w.Uint64(snap ? snap->ring_full_drops : 0);
    w.Key("records"), w.Uint64(snap ? snap->records_dropped : 0);
    uint64_t store_drops = 0;
    if (snap)
        for (uint64_t d : snap->store.dropped) store_drops += d;
    w.Key("store"), w.Uint64(store_drops);
    w.EndObject();
    w.EndObject();
    return std::string(sb.GetString(), sb.GetSize());
}

}  // namespace nms::api
