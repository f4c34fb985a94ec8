#pragma once
// A small Snapshot and a Router with one admin and one viewer, for the API tests.
#include <fstream>
#include <memory>

#include "../store/store_test_util.hpp"
#include "api/credentials.hpp"
#include "api/routes.hpp"
#include "store/store_writer.hpp"

namespace nms::api::test {

inline devices::Device sample_device(const char* mac, const char* ip, uint64_t bytes, TimestampNs last_ns) {
    devices::Device d;
    d.key = devices::DeviceKey::of_mac(*devices::mac_parse(mac));
    d.mac = mac;
    d.local = true;
    d.ips.push_back(*IpAddr::parse(ip));
    d.first_ns = last_ns - 60 * kNsPerSec;
    d.last_ns = last_ns;
    d.bytes_out = bytes;
    d.packets_out = bytes / 100;
    devices::DevicePeer p;
    p.ip = *IpAddr::parse("192.0.2.1");
    p.bytes_out = bytes;
    p.packets_out = bytes / 100;
    p.connections = 3;
    d.peers.push_back(p);
    return d;
}

inline std::shared_ptr<stats::Snapshot> sample_snapshot() {
    auto s = std::make_shared<stats::Snapshot>();
    s->seq = 7;
    s->wall_ns = wall_ns();
    s->interval_s = 1;
    s->pps = 1500;
    s->bps = 12e6;
    s->traffic.packets = 10000;
    s->traffic.bytes = 9000000;
    s->traffic.proto_packets[0] = 9000;
    s->traffic.decode_events[1] = 3;
    s->active_flows = 3;
    s->flow_capacity = 1024;
    for (uint16_t i = 0; i < 3; ++i) {
        pipeline::FlowSummary f;
        f.flow.flow_id = 100u + i;
        f.flow.key.addr_lo = *IpAddr::parse("10.0.0." + std::to_string(i + 1));
        f.flow.key.addr_hi = *IpAddr::parse("192.0.2.1");
        f.flow.key.port_lo = static_cast<uint16_t>(40000 + i);
        f.flow.key.port_hi = 443;
        f.flow.key.proto = 6;
        f.flow.bytes[0] = 1000u * (i + 1);
        f.flow.pkts[0] = 10u * (3 - i);
        f.flow.first_ns = s->wall_ns;
        f.flow.last_ns = s->wall_ns;
        f.interval_bytes = 100u * (i + 1);
        s->top_flows.push_back(f);
    }
    stats::Talker t;
    t.ip = *IpAddr::parse("10.0.0.1");
    t.bytes_out = 5000;
    s->top_talkers.push_back(t);
    stats::LatencyStat l;
    l.name = "tcp_handshake";
    l.count = 4;
    l.p50_us = 100;
    s->latency.push_back(l);
    stats::CaptureView c;
    c.name = "demo";
    c.state = "running";
    c.frames = 10000;
    s->captures.push_back(c);
    stats::WorkerView w;
    s->workers.push_back(w);
    s->devices.push_back(sample_device("02:00:00:00:00:01", "10.0.0.1", 700, s->wall_ns));
    s->device_counters.devices = 1;
    auto hist = std::make_shared<std::vector<stats::RatePoint>>();
    for (int i = 0; i < 10; ++i)
        hist->push_back({s->wall_ns - static_cast<uint64_t>(9 - i) * kNsPerSec, 100.0 * i, 800.0 * i, 3, 0});
    s->history = hist;
    return s;
}

inline detect::Alert sample_alert(uint64_t id, detect::AlertKind kind, const char* src, const char* victim,
                                  TimestampNs last_ns) {
    detect::Alert a;
    a.id = id;
    a.kind = kind;
    a.severity = detect::alert_kind_info(kind).default_severity;
    a.has_src = true;
    a.src = *IpAddr::parse(src);
    a.has_victim = true;
    a.victim = *IpAddr::parse(victim);
    a.victim_count = 1;
    a.first_seen = last_ns - 10 * kNsPerSec;
    a.last_seen = last_ns;
    a.explanation.metric = "syn_per_s";
    a.explanation.value = 5000;
    a.explanation.threshold = 1000;
    a.explanation.window_s = 5;
    a.explanation.text = "5000 SYN/s to " + std::string(victim) + " in 5 s (threshold 1000)";
    a.evidence.push_back({"dst_port", 80.0});
    a.evidence.push_back({"sample", std::vector<std::string>{"a", "b"}});
    return a;
}

// A data directory with a store database holding two devices, flows of 10.0.0.66, three
// alerts (1: SYN flood with an evidence pcap, 2: ended scan, 3: a hostile pcap name) and a ban.
struct SampleStore {
    store::test::TempDir dir;
    TimestampNs t0 = wall_ns();

    SampleStore() {
        std::filesystem::create_directories(dir.path() + "/evidence");
        std::ofstream(dir.path() + "/evidence/alert-1.pcap") << std::string("\xd4\xc3\xb2\xa1pcapdata", 12);
        store::StoreWriter w(dir.path() + "/netmonsec.db", nullptr);
        std::vector<devices::Device> devs = {sample_device("02:00:00:00:00:66", "10.0.0.66", 9000, t0),
                                             sample_device("02:00:00:00:00:01", "10.0.0.1", 500, t0 - kNsPerSec)};
        devs[0].os = "Linux 3.11 and newer";
        devs[0].os_class = "unix";
        devs[0].hostnames.push_back("lab-pc");
        devs[0].os_evidence.push_back({"tcp_syn", "4:64+0:0:1460:mss*20,7:mss,sok,ts,nop,ws:df,id+:0", devs[0].os,
                                       "unix", 70, t0});
        std::vector<store::AlertChange> alerts;
        auto a1 = sample_alert(1, detect::AlertKind::kSynFlood, "10.0.0.66", "10.0.0.10", t0);
        a1.evidence_pcap = "alert-1.pcap";
        alerts.push_back({a1, detect::AlertPhase::kOpened});
        auto a2 = sample_alert(2, detect::AlertKind::kPortScanVertical, "10.0.0.77", "10.0.0.10", t0 - kNsPerSec);
        a2.ended = true;
        alerts.push_back({a2, detect::AlertPhase::kEnded});
        auto a3 = sample_alert(3, detect::AlertKind::kDnsTunnel, "10.0.0.66", "10.0.0.53", t0 - 2 * kNsPerSec);
        a3.evidence_pcap = "../../etc/passwd";
        alerts.push_back({a3, detect::AlertPhase::kOpened});
        std::vector<store::StoreCommand> cmds(1);
        cmds[0].kind = store::StoreCommand::Kind::kBan;
        cmds[0].ban = {"10.0.0.66", 1, "syn_flood", static_cast<int64_t>(t0 / kNsPerSec),
                       static_cast<int64_t>(t0 / kNsPerSec) + 600, 0, false};
        std::string err;
        const int64_t now_s = static_cast<int64_t>(t0 / kNsPerSec);
        if (w.write_entities(devs, alerts, cmds, now_s, err) != store::Rc::kOk) throw std::runtime_error(err);
        std::vector<pipeline::FlowRecord> flows;
        for (uint8_t i = 0; i < 5; ++i)
            flows.push_back(store::test::make_flow(1000u + i, 66, 1, static_cast<uint16_t>(40000 + i), 443,
                                                   t0 - (5u - i) * kNsPerSec));
        flows.push_back(store::test::make_flow(2000, 5, 1, 50000, 53, t0, 17));
        if (w.write_batch(flows, {}, {}, now_s, err) != store::Rc::kOk) throw std::runtime_error(err);
    }
    [[nodiscard]] std::string db() const { return dir.path() + "/netmonsec.db"; }
};

struct Fixture {
    int64_t now = 1000;
    stats::SnapshotPtr snap = sample_snapshot();
    int reloads = 0;
    std::unique_ptr<SampleStore> store;
    std::vector<std::pair<uint64_t, std::string>> acks;
    std::vector<std::string> revoked;
    std::vector<Suppression> rules;
    int capture_requests = 0;
    std::unique_ptr<Router> router;

    // `with_store`: a sample database and every optional hook; without: only the basics.
    explicit Fixture(config::ApiConfig cfg = {}, bool with_store = true) {
        static const std::string admin_hash = *hash_password("admin-pass");
        static const std::string viewer_hash = *hash_password("viewer-pass");
        UserStore users;
        users.add({"admin", Role::kAdmin, admin_hash});
        users.add({"viewer", Role::kViewer, viewer_hash});
        ApiHooks h;
        h.snapshot = [this] { return snap; };
        h.captures = [] { return std::vector<CaptureStatus>{{"demo", true, ""}}; };
        h.reload = [this] { return ++reloads > 0; };
        h.now_s = [this] { return now; };
        if (with_store) {
            store = std::make_unique<SampleStore>();
            h.database_path = store->db();
            h.data_dir = store->dir.path();
            h.acknowledge = [this](uint64_t id, const std::string& user) {
                acks.emplace_back(id, user);
                return true;
            };
            h.ban_revoke = [this](const std::string& ip, const std::string&) {
                if (ip != "10.0.0.66") return false;
                revoked.push_back(ip);
                return true;
            };
            Suppression s;
            s.id = 1;
            s.kind = "new_device";
            s.reason = "lab";
            rules.push_back(s);
            h.suppressions_list = [this] { return rules; };
            h.suppression_add = [this](const Suppression& s2) -> std::optional<uint64_t> {
                rules.push_back(s2);
                rules.back().id = rules.size();
                return rules.back().id;
            };
            h.suppression_remove = [this](uint64_t id) { return std::erase_if(rules, [&](const auto& r) { return r.id == id; }) > 0; };
            h.capture_start = [this] { return ++capture_requests > 0; };
            h.capture_stop = [this] { return ++capture_requests > 0; };
        }
        router = std::make_unique<Router>(cfg, std::move(users), std::move(h));
    }
    ApiResponse call(const std::string& method, const std::string& target, const std::string& token,
                     const std::string& body = {}) {
        ApiRequest r;
        r.method = method;
        r.target = target;
        r.peer = "127.0.0.1";
        r.host = "127.0.0.1:8080";
        r.body = body;
        r.content_type = "application/json";
        if (!token.empty()) r.authorization = "Bearer " + token;
        return router->handle(r);
    }

    ApiResponse get(const std::string& target, const std::string& token = {}) {
        ApiRequest r;
        r.method = "GET";
        r.target = target;
        r.peer = "127.0.0.1";
        if (!token.empty()) r.authorization = "Bearer " + token;
        return router->handle(r);
    }
    ApiResponse login(const std::string& user, const std::string& pw, const std::string& peer = "127.0.0.1") {
        ApiRequest r;
        r.method = "POST";
        r.target = "/api/v1/auth/login";
        r.content_type = "application/json";
        r.body = "{\"username\":\"" + user + "\",\"password\":\"" + pw + "\"}";
        r.peer = peer;
        r.host = "127.0.0.1:8080";
        return router->handle(r);
    }
};

}  // namespace nms::api::test
