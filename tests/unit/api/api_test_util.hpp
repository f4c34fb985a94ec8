#pragma once
// A small Snapshot and a Router with one admin and one viewer, for the API tests.
#include <memory>

#include "api/credentials.hpp"
#include "api/routes.hpp"

namespace nms::api::test {

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
    c.frames = 10000;
    s->captures.push_back(c);
    stats::WorkerView w;
    s->workers.push_back(w);
    auto hist = std::make_shared<std::vector<stats::RatePoint>>();
    for (int i = 0; i < 10; ++i)
        hist->push_back({s->wall_ns - static_cast<uint64_t>(9 - i) * kNsPerSec, 100.0 * i, 800.0 * i, 3, 0});
    s->history = hist;
    return s;
}

struct Fixture {
    int64_t now = 1000;
    stats::SnapshotPtr snap = sample_snapshot();
    int reloads = 0;
    std::unique_ptr<Router> router;

    explicit Fixture(config::ApiConfig cfg = {}) {
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
        router = std::make_unique<Router>(cfg, std::move(users), std::move(h));
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
