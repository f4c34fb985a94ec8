#include "output/eve_format.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <cstdio>
#include <ctime>

#include "decode/packet_view.hpp"

namespace nms::output {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void put_time(Writer& w, TimestampNs ns) {
    const std::string t = eve_timestamp(ns);
    w.String(t.c_str(), static_cast<rapidjson::SizeType>(t.size()));
}

void put_ip(Writer& w, const IpAddr& ip) {
    char buf[64];
    const size_t n = ip.format(buf);
    w.String(buf, static_cast<rapidjson::SizeType>(n));
}

void put_flags(Writer& w, const char* key, uint8_t flags) {
    char hex[4];
    std::snprintf(hex, sizeof hex, "%02x", flags);
    w.Key(key);
    w.String(hex);
}

// Device facts are raw bytes from the wire: keep valid UTF-8, replace anything else with '?'.
void put_text(Writer& w, std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        bool ok = n > 0 && i + n <= s.size() && !(n == 2 && c < 0xc2);
        for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
        if (ok) {
            out.append(s.substr(i, n));
            i += n;
        } else {
            out.push_back('?');
            ++i;
        }
    }
    w.String(out.c_str(), static_cast<rapidjson::SizeType>(out.size()));
}

const char* tunnel_name(uint8_t t) {
    switch (static_cast<decode::TunnelType>(t)) {
        case decode::TunnelType::kGre: return "gre";
        case decode::TunnelType::kVxlan: return "vxlan";
        case decode::TunnelType::kGeneve: return "geneve";
        case decode::TunnelType::kIpInIp: return "ipip";
        case decode::TunnelType::kTeredo: return "teredo";
        case decode::TunnelType::kMpls: return "mpls";
        default: return "none";
    }
}

void put_tcp(Writer& w, const flow::Flow& f) {
    const uint8_t ts = f.tcp_flags[flow::kToServer];
    const uint8_t tc = f.tcp_flags[flow::kToClient];
    const uint8_t all = ts | tc;
    w.Key("tcp");
    w.StartObject();
    put_flags(w, "tcp_flags", all);
    put_flags(w, "tcp_flags_ts", ts);
    put_flags(w, "tcp_flags_tc", tc);
    static constexpr struct { uint8_t bit; const char* name; } kFlags[] = {
        {decode::kTcpSyn, "syn"}, {decode::kTcpFin, "fin"}, {decode::kTcpRst, "rst"}, {decode::kTcpPsh, "psh"},
        {decode::kTcpAck, "ack"}, {decode::kTcpUrg, "urg"}, {decode::kTcpEce, "ecn"}, {decode::kTcpCwr, "cwr"}};
    for (const auto& fl : kFlags) {
        if (all & fl.bit) {
            w.Key(fl.name);
            w.Bool(true);
        }
    }
    w.Key("state");
    w.String(flow::eve_tcp_state(f.tcp_state));
    if (f.has_rtt) {
        w.Key("rtt_ms");
        w.Double(static_cast<double>(f.rtt_client_us + f.rtt_server_us) / 1000.0);
        w.Key("rtt_client_ms");
        w.Double(static_cast<double>(f.rtt_client_us) / 1000.0);
        w.Key("rtt_server_ms");
        w.Double(static_cast<double>(f.rtt_server_us) / 1000.0);
    }
    w.Key("retransmits");
    w.Uint64(uint64_t{f.retransmits[0]} + f.retransmits[1]);
    w.Key("out_of_order");
    w.Uint64(uint64_t{f.out_of_order[0]} + f.out_of_order[1]);
    w.EndObject();
}

}  // namespace

std::string eve_timestamp(TimestampNs ns) {
    const auto secs = static_cast<time_t>(ns / kNsPerSec);
    const auto usec = static_cast<unsigned>((ns % kNsPerSec) / 1000);
    tm t{};
    gmtime_r(&secs, &t);
    char buf[48];
    const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &t);
    std::snprintf(buf + n, sizeof buf - n, ".%06u+0000", usec);
    return buf;
}

const char* proto_name(uint8_t proto, char (&buf)[4]) noexcept {
    switch (proto) {
        case decode::kIpProtoTcp: return "TCP";
        case decode::kIpProtoUdp: return "UDP";
        case decode::kIpProtoIcmp: return "ICMP";
        case decode::kIpProtoIcmpv6: return "IPv6-ICMP";
        case decode::kIpProtoSctp: return "SCTP";
        case decode::kIpProtoGre: return "GRE";
        default: std::snprintf(buf, sizeof buf, "%u", proto); return buf;
    }
}

void append_flow_event(std::string& out, const pipeline::FlowRecord& rec, const dpi::Registry* registry) {
    const flow::Flow& f = rec.flow;
    const bool has_ports = f.key.proto == decode::kIpProtoTcp || f.key.proto == decode::kIpProtoUdp ||
                           f.key.proto == decode::kIpProtoSctp;
    const IpAddr& cip = f.client_is_lo ? f.key.addr_lo : f.key.addr_hi;
    const IpAddr& sip = f.client_is_lo ? f.key.addr_hi : f.key.addr_lo;
    const uint16_t cport = f.client_is_lo ? f.key.port_lo : f.key.port_hi;
    const uint16_t sport = f.client_is_lo ? f.key.port_hi : f.key.port_lo;

    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    w.Key("timestamp");
    put_time(w, f.first_ns);
    w.Key("flow_id");
    w.Uint64(f.flow_id);
    w.Key("event_type");
    w.String("flow");
    if (f.key.vlan) {
        w.Key("vlan");
        w.StartArray();
        w.Uint(f.key.vlan);
        w.EndArray();
    }
    w.Key("src_ip");
    put_ip(w, cip);
    if (has_ports) {
        w.Key("src_port");
        w.Uint(cport);
    }
    w.Key("dest_ip");
    put_ip(w, sip);
    if (has_ports) {
        w.Key("dest_port");
        w.Uint(sport);
    }
    char pbuf[4];
    w.Key("proto");
    w.String(proto_name(f.key.proto, pbuf));
    if (registry && f.app_proto != dpi::kAppUnknown) {
        const auto name = registry->name_of(f.app_proto);
        w.Key("app_proto");
        w.String(name.data(), static_cast<rapidjson::SizeType>(name.size()));
        w.Key("app_proto_confidence");
        w.String(f.app_confidence == static_cast<uint8_t>(dpi::Confidence::kDpi)    ? "dpi"
                 : f.app_confidence == static_cast<uint8_t>(dpi::Confidence::kNdpi) ? "ndpi"
                                                                                    : "port");
    } else if (f.dpi_state != dpi::kDpiNotStarted) {
        w.Key("app_proto");
        w.String("failed");  // payload was seen and nothing recognised it (Suricata's word)
    }
    if (f.key.tunnel_type) {
        w.Key("tunnel");
        w.StartObject();
        w.Key("type");
        w.String(tunnel_name(f.key.tunnel_type));
        w.Key("id");
        w.Uint(f.key.tunnel_id);
        w.EndObject();
    }
    w.Key("flow");
    w.StartObject();
    w.Key("pkts_toserver");
    w.Uint(f.pkts[flow::kToServer]);
    w.Key("pkts_toclient");
    w.Uint(f.pkts[flow::kToClient]);
    w.Key("bytes_toserver");
    w.Uint64(f.bytes[flow::kToServer]);
    w.Key("bytes_toclient");
    w.Uint64(f.bytes[flow::kToClient]);
    w.Key("start");
    put_time(w, f.first_ns);
    w.Key("end");
    put_time(w, f.last_ns);
    w.Key("age");
    w.Uint64((f.last_ns - f.first_ns) / kNsPerSec);
    w.Key("state");
    w.String(flow::eve_flow_state(f));
    w.Key("reason");
    w.String(flow::eve_end_reason(rec.reason));
    w.Key("alerted");
    w.Bool(false);
    w.EndObject();
    if (f.key.proto == decode::kIpProtoTcp) put_tcp(w, f);
    w.EndObject();
    out.append(sb.GetString(), sb.GetSize());
}

void append_app_event(std::string& out, const dpi::AppEvent& ev, const dpi::Registry& registry) {
    const dpi::Dissector* d = registry.get(ev.app);
    if (!d) return;
    const bool lo_is_src = ev.client_is_lo;  // events are oriented client -> server, like flows
    const IpAddr& sip = lo_is_src ? ev.key.addr_lo : ev.key.addr_hi;
    const IpAddr& dip = lo_is_src ? ev.key.addr_hi : ev.key.addr_lo;
    const uint16_t sport = lo_is_src ? ev.key.port_lo : ev.key.port_hi;
    const uint16_t dport = lo_is_src ? ev.key.port_hi : ev.key.port_lo;
    const auto name = d->info().name;
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    w.Key("timestamp");
    put_time(w, ev.ts_ns);
    w.Key("flow_id");
    w.Uint64(ev.flow_id);
    w.Key("event_type");
    w.String(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    if (ev.key.vlan) {
        w.Key("vlan");
        w.StartArray();
        w.Uint(ev.key.vlan);
        w.EndArray();
    }
    w.Key("src_ip");
    put_ip(w, sip);
    w.Key("src_port");
    w.Uint(sport);
    w.Key("dest_ip");
    put_ip(w, dip);
    w.Key("dest_port");
    w.Uint(dport);
    char pbuf[4];
    w.Key("proto");
    w.String(proto_name(ev.key.proto, pbuf));
    w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    d->render(ev, w);
    w.EndObject();
    out.append(sb.GetString(), sb.GetSize());
}

void append_stats_event(std::string& out, const stats::Snapshot& s) {
    using pipeline::ProtoClass;
    const auto pc = [&](ProtoClass c) { return s.traffic.proto_packets[static_cast<size_t>(c)]; };
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    w.Key("timestamp");
    put_time(w, s.wall_ns);
    w.Key("event_type");
    w.String("stats");
    w.Key("stats");
    w.StartObject();
    w.Key("uptime");
    w.Uint64(static_cast<uint64_t>(s.uptime_s));

    w.Key("devices");
    w.StartObject();
    w.Key("total");
    w.Uint64(s.device_counters.devices);
    w.Key("evicted");
    w.Uint64(s.device_counters.evicted + s.device_counters.shard_evicted);
    w.Key("events");
    w.Uint64(s.device_counters.events);
    w.Key("site_fingerprints_learned");
    w.Uint64(s.device_counters.site_signatures + s.device_counters.site_fingerprints);
    w.Key("site_fingerprint_conflicts");
    w.Uint64(s.device_counters.site_conflicts);
    w.Key("geoip");
    w.StartObject();
    w.Key("lookups");
    w.Uint64(s.device_counters.geo.lookups);
    w.Key("cache_hits");
    w.Uint64(s.device_counters.geo.cache_hits);
    w.Key("not_found");
    w.Uint64(s.device_counters.geo.not_found);
    w.Key("errors");
    w.Uint64(s.device_counters.geo.errors);
    w.Key("unavailable_dbs");
    w.Uint64(s.device_counters.geo.unavailable_dbs);
    w.EndObject();
    w.EndObject();

    w.Key("capture");
    w.StartObject();
    uint64_t kp = 0;
    for (const auto& c : s.captures) kp += c.kernel_packets;
    w.Key("kernel_packets");
    w.Uint64(kp);
    w.Key("kernel_drops");
    w.Uint64(s.kernel_drops);
    w.Key("paused_drops");
    w.Uint64(s.paused_drops);
    w.Key("ring_full_drops");
    w.Uint64(s.ring_full_drops);
    w.Key("sources");
    w.StartArray();
    for (const auto& c : s.captures) {
        w.StartObject();
        w.Key("name");
        w.String(c.name.c_str());
        w.Key("state");
        w.String(c.state.c_str());
        w.Key("frames");
        w.Uint64(c.frames);
        w.Key("kernel_drops");
        w.Uint64(c.kernel_drops);
        w.Key("paused_drops");
        w.Uint64(c.paused_drops);
        w.Key("ring_full_drops");
        w.Uint64(c.ring_full_drops);
        w.Key("truncated");
        w.Uint64(c.truncated);
        w.Key("bad_records");
        w.Uint64(c.bad_records);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();

    w.Key("decoder");
    w.StartObject();
    w.Key("pkts");
    w.Uint64(s.traffic.packets);
    w.Key("bytes");
    w.Uint64(s.traffic.bytes);
    w.Key("invalid");
    w.Uint64(s.decode_invalid);
    w.Key("ipv4");
    w.Uint64(s.traffic.ipv4);
    w.Key("ipv6");
    w.Uint64(s.traffic.ipv6);
    w.Key("tcp");
    w.Uint64(pc(ProtoClass::kTcp));
    w.Key("udp");
    w.Uint64(pc(ProtoClass::kUdp));
    w.Key("icmpv4");
    w.Uint64(pc(ProtoClass::kIcmp));
    w.Key("icmpv6");
    w.Uint64(pc(ProtoClass::kIcmpv6));
    w.Key("arp");
    w.Uint64(pc(ProtoClass::kArp));
    w.Key("tunneled");
    w.Uint64(s.traffic.tunneled);
    w.Key("fragments");
    w.Uint64(s.traffic.fragments);
    w.Key("event");
    w.StartObject();
    for (size_t i = 1; i < decode::kDecodeEventCount; ++i) {
        if (s.traffic.decode_events[i] == 0) continue;
        w.Key(decode::kDecodeEventNames[i]);
        w.Uint64(s.traffic.decode_events[i]);
    }
    w.EndObject();
    w.EndObject();

    w.Key("flow");
    w.StartObject();
    w.Key("active");
    w.Uint64(s.active_flows);
    w.Key("created");
    w.Uint64(s.flows.created);
    w.Key("timeout");
    w.Uint64(s.flows.ended_timeout);
    w.Key("closed");
    w.Uint64(s.flows.ended_closed);
    w.Key("evicted");
    w.Uint64(s.flows.evicted);
    w.Key("active_timeout");
    w.Uint64(s.flows.active_timeouts);
    w.Key("shutdown");
    w.Uint64(s.flows.ended_shutdown);
    w.Key("tcp_port_reuse");
    w.Uint64(s.flows.tcp_port_reuse);
    w.Key("fragments_unmatched");
    w.Uint64(s.flows.fragments_unmatched);
    w.Key("records_dropped");
    w.Uint64(s.records_dropped);
    w.EndObject();

    w.Key("app_layer");
    w.StartObject();
    w.Key("detected");
    w.Uint64(s.dpi.detected);
    w.Key("port_labelled");
    w.Uint64(s.dpi.port_labelled);
    w.Key("unknown");
    w.Uint64(s.dpi.unknown);
    w.Key("no_context");
    w.Uint64(s.dpi.no_context);
    w.Key("stream_gaps");
    w.Uint64(s.dpi.stream_gaps);
    w.Key("stream_overflows");
    w.Uint64(s.dpi.stream_overflows);
    w.Key("events");
    w.Uint64(s.dpi.events);
    w.Key("events_dropped");
    w.Uint64(s.dpi.events_dropped);
    w.EndObject();

    w.Key("rates");
    w.StartObject();
    w.Key("pps");
    w.Double(s.pps);
    w.Key("bps");
    w.Double(s.bps);
    w.EndObject();

    const auto put_latency = [&](const stats::LatencyStat& l) {
        w.Key("count");
        w.Uint64(l.count);
        w.Key("mean_us");
        w.Double(l.mean_us);
        w.Key("p50_us");
        w.Uint64(l.p50_us);
        w.Key("p95_us");
        w.Uint64(l.p95_us);
        w.Key("p99_us");
        w.Uint64(l.p99_us);
    };
    w.Key("latency");
    w.StartObject();
    for (const auto& l : s.latency) {
        w.Key(l.name.c_str());
        w.StartObject();
        put_latency(l);
        w.EndObject();
    }
    w.EndObject();
    w.Key("server_latency");
    w.StartArray();
    for (const auto& l : s.server_latency) {
        w.StartObject();
        w.Key("server");
        put_ip(w, l.server);
        w.Key("app_proto");
        w.String(l.name.c_str());
        put_latency(l);
        w.EndObject();
    }
    w.EndArray();

    w.Key("top_talkers");
    w.StartArray();
    for (const auto& t : s.top_talkers) {
        w.StartObject();
        w.Key("ip");
        put_ip(w, t.ip);
        w.Key("bytes_out");
        w.Uint64(t.bytes_out);
        w.Key("bytes_in");
        w.Uint64(t.bytes_in);
        w.Key("flows");
        w.Uint(t.flows);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    w.EndObject();
    out.append(sb.GetString(), sb.GetSize());
}

namespace {

// "geo": {country_iso, country, city, asn, as_org}: only the fields the databases gave.
void geo_object(Writer& w, const devices::GeoInfo& g) {
    w.Key("geo");
    w.StartObject();
    if (!g.country_iso.empty()) {
        w.Key("country_iso");
        put_text(w, g.country_iso);
    }
    if (!g.country.empty()) {
        w.Key("country");
        put_text(w, g.country);
    }
    if (!g.city.empty()) {
        w.Key("city");
        put_text(w, g.city);
    }
    if (g.asn) {
        w.Key("asn");
        w.Uint(g.asn);
        if (!g.as_org.empty()) {
            w.Key("as_org");
            put_text(w, g.as_org);
        }
    }
    w.EndObject();
}

// The device object's fields (EVE "device" events and the REST API share them).
void device_fields(Writer& w, const devices::Device& d) {
    w.Key("key");
    w.String(d.key.kind == devices::DeviceKey::kMac ? "mac" : "ip");
    if (!d.mac.empty()) {
        w.Key("mac");
        w.String(d.mac.c_str());
        w.Key("vendor");
        put_text(w, d.vendor);
        w.Key("mac_locally_administered");
        w.Bool(d.mac_local_admin);
    }
    w.Key("local");
    w.Bool(d.local);
    if (!d.geo.empty()) geo_object(w, d.geo);
    w.Key("ips");
    w.StartArray();
    for (const auto& ip : d.ips) put_ip(w, ip);
    w.EndArray();
    w.Key("first_seen");
    put_time(w, d.first_ns);
    w.Key("last_seen");
    put_time(w, d.last_ns);
    w.Key("packets_out");
    w.Uint64(d.packets_out);
    w.Key("bytes_out");
    w.Uint64(d.bytes_out);
    w.Key("packets_in");
    w.Uint64(d.packets_in);
    w.Key("bytes_in");
    w.Uint64(d.bytes_in);
    if (!d.hostnames.empty()) {
        w.Key("hostnames");
        w.StartArray();
        for (const auto& h : d.hostnames) put_text(w, h);
        w.EndArray();
    }
    if (!d.os.empty()) {
        w.Key("os");
        put_text(w, d.os);
        w.Key("os_class");
        put_text(w, d.os_class);
        w.Key("os_confidence");
        w.Uint(d.os_confidence);
    }
    if (!d.os_evidence.empty()) {
        w.Key("os_evidence");
        w.StartArray();
        for (const auto& e : d.os_evidence) {
            w.StartObject();
            w.Key("signal");
            w.String(e.signal.c_str());
            w.Key("value");
            put_text(w, e.value);
            w.Key("os");
            put_text(w, e.os);
            w.Key("confidence");
            w.Uint(e.confidence);
            w.Key("timestamp");
            put_time(w, e.ts);
            w.EndObject();
        }
        w.EndArray();
    }
    if (!d.tcp_signatures.empty()) {
        w.Key("tcp_signatures");
        w.StartArray();
        for (const auto& s : d.tcp_signatures) w.String(s.c_str());
        w.EndArray();
    }
    if (!d.attributes.empty()) {
        w.Key("attributes");
        w.StartObject();
        for (const auto& [k, vals] : d.attributes) {
            w.Key(k.c_str());
            w.StartArray();
            for (const auto& v : vals) put_text(w, v);
            w.EndArray();
        }
        w.EndObject();
    }
    if (!d.peers.empty()) {
        static constexpr const char* kRel[] = {"outbound", "inbound", "lateral"};
        w.Key("peers");
        w.StartArray();
        for (const auto& p : d.peers) {
            w.StartObject();
            w.Key("ip");
            put_ip(w, p.ip);
            w.Key("relation");
            w.String(kRel[static_cast<size_t>(p.relation)]);
            w.Key("connections");
            w.Uint(p.connections);
            w.Key("packets_out");
            w.Uint64(p.packets_out);
            w.Key("bytes_out");
            w.Uint64(p.bytes_out);
            w.Key("packets_in");
            w.Uint64(p.packets_in);
            w.Key("bytes_in");
            w.Uint64(p.bytes_in);
            if (p.rtt_us) {
                w.Key("rtt_us");
                w.Uint(p.rtt_us);
            }
            if (!p.name.empty()) {
                w.Key("name");
                put_text(w, p.name);
            }
            if (!p.geo.empty()) geo_object(w, p.geo);
            w.EndObject();
        }
        w.EndArray();
    }
}

}  // namespace

void append_device_event(std::string& out, const devices::DeviceEvent& ev) {
    const devices::Device& d = ev.device;
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    w.Key("timestamp");
    put_time(w, ev.ts);
    w.Key("event_type");
    w.String("device");
    w.Key("device");
    w.StartObject();
    w.Key("event");
    w.String(ev.discovered ? "discovered" : "changed");
    if (!ev.changes.empty()) {
        w.Key("changes");
        w.StartArray();
        for (const auto& c : ev.changes) w.String(c.c_str());
        w.EndArray();
    }
    device_fields(w, d);
    w.EndObject();
    w.EndObject();
    out.append(sb.GetString(), sb.GetSize());
}

std::string device_json(const devices::Device& d) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    device_fields(w, d);
    w.EndObject();
    return std::string(sb.GetString(), sb.GetSize());
}

void append_ban_event(std::string& out, const mitigate::BanEvent& ev) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    w.Key("timestamp");
    put_time(w, ev.ts);
    w.Key("event_type");
    w.String("ban");
    w.Key("src_ip");
    put_ip(w, ev.ip);
    w.Key("ban");
    w.StartObject();
    w.Key("action");
    w.String(mitigate::ban_action_name(ev.action));
    if (!ev.reason.empty()) {
        w.Key("reason");
        w.String(ev.reason.c_str(), static_cast<rapidjson::SizeType>(ev.reason.size()));
    }
    w.Key("ip");
    put_ip(w, ev.ip);
    if (ev.alert_id != 0) {
        w.Key("alert_id");
        w.Uint64(ev.alert_id);
    }
    if (ev.kind < detect::AlertKind::kCount) {
        w.Key("kind");
        w.String(detect::alert_kind_name(ev.kind));
    }
    if (ev.expires != 0) {
        w.Key("expires");
        put_time(w, ev.expires);
    }
    w.Key("ban_seconds");
    w.Uint(ev.ban_seconds);
    w.Key("dry_run");
    w.Bool(ev.dry_run);
    w.EndObject();
    w.EndObject();
    out.append(sb.GetString(), sb.GetSize());
}

}  // namespace nms::output

namespace nms::output {

uint32_t alert_signature_id(detect::AlertKind k) noexcept { return 9000001u + static_cast<uint32_t>(k); }

namespace {
// JSON has no NaN or infinity: a detector's degenerate number is written as 0.
void put_number(Writer& w, double v) { w.Double(std::isfinite(v) ? v : 0.0); }
}  // namespace

void append_alert_event(std::string& out, const detect::Alert& a, detect::AlertPhase phase) {
    const detect::AlertKindInfo& info = detect::alert_kind_info(a.kind);
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    w.Key("timestamp");
    put_time(w, phase == detect::AlertPhase::kOpened ? a.first_seen : a.last_seen);
    w.Key("event_type");
    w.String("alert");
    if (a.has_src) {
        w.Key("src_ip");
        put_ip(w, a.src);
    }
    if (a.has_victim) {
        w.Key("dest_ip");
        put_ip(w, a.victim);
    }
    if (!a.src_mac.empty()) {
        w.Key("src_mac");
        w.String(a.src_mac.c_str());
    }
    w.Key("alert");
    w.StartObject();
    w.Key("action");
    w.String("allowed");
    w.Key("gid");
    w.Uint(1);
    w.Key("signature_id");
    w.Uint(alert_signature_id(a.kind));
    w.Key("rev");
    w.Uint(1);
    w.Key("signature");
    w.String(info.signature);
    w.Key("category");
    w.String(info.category);
    w.Key("severity");
    w.Int(detect::severity_suricata(a.severity));
    w.Key("kind");
    w.String(info.name);
    w.Key("severity_name");
    w.String(detect::severity_name(a.severity));
    w.Key("phase");
    w.String(detect::alert_phase_name(phase));
    w.Key("id");
    w.Uint64(a.id);
    w.Key("first_seen");
    put_time(w, a.first_seen);
    w.Key("last_seen");
    put_time(w, a.last_seen);
    w.Key("updates");
    w.Uint(a.updates);
    if (info.technique_id[0] != '\0') {
        w.Key("mitre");
        w.StartObject();
        w.Key("technique_id");
        w.String(info.technique_id);
        w.Key("technique_name");
        w.String(info.technique_name);
        w.EndObject();
    }
    const detect::Explanation& e = a.explanation;
    w.Key("explanation");
    w.StartObject();
    w.Key("metric");
    put_text(w, e.metric);
    w.Key("value");
    put_number(w, e.value);
    w.Key("threshold");
    put_number(w, e.threshold);
    w.Key("window_s");
    put_number(w, e.window_s);
    w.Key("baseline");
    put_number(w, e.baseline);
    w.Key("zscore");
    put_number(w, e.zscore);
    w.Key("text");
    put_text(w, e.text);
    w.EndObject();
    w.Key("evidence");
    w.StartObject();
    for (const detect::EvidenceField& f : a.evidence) {
        w.Key(f.key.c_str(), static_cast<rapidjson::SizeType>(f.key.size()));
        if (const double* d = std::get_if<double>(&f.value)) {
            put_number(w, *d);
        } else if (const std::string* str = std::get_if<std::string>(&f.value)) {
            put_text(w, *str);
        } else {
            w.StartArray();
            for (const std::string& item : std::get<std::vector<std::string>>(f.value)) put_text(w, item);
            w.EndArray();
        }
    }
    if (!a.evidence_pcap.empty()) {
        w.Key("pcap");
        put_text(w, a.evidence_pcap);
    }
    w.EndObject();
    w.Key("top_peers");
    w.StartArray();
    for (const detect::Contributor& p : a.top_peers) {
        w.StartObject();
        w.Key("ip");
        put_ip(w, p.ip);
        w.Key("count");
        w.Uint64(p.count);
        w.EndObject();
    }
    w.EndArray();
    w.Key("victim_count");
    w.Uint(a.victim_count);
    w.EndObject();
    w.EndObject();
    out.append(sb.GetString(), sb.GetSize());
}

}  // namespace nms::output
