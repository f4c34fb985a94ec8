#include "stats/stats_merger.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <unordered_map>

#include "dpi/registry.hpp"

namespace nms::stats {
namespace {

struct IpHash {
    size_t operator()(const IpAddr& a) const noexcept {
        uint64_t w[2];
        std::memcpy(w, a.bytes.data(), 16);
        return static_cast<size_t>((w[0] * 0x9e3779b97f4a7c15ULL) ^ w[1]);
    }
};

double ratio(uint64_t part, uint64_t whole) {
    return whole ? std::min(1.0, static_cast<double>(part) / static_cast<double>(whole)) : 0.0;
}

LatencyStat to_stat(std::string name, const LatencyHistogram& h) {
    LatencyStat st;
    st.name = std::move(name);
    st.count = h.count();
    st.mean_us = h.mean_us();
    st.p50_us = h.percentile(50);
    st.p95_us = h.percentile(95);
    st.p99_us = h.percentile(99);
    return st;
}

std::string latency_name(dpi::AppId app) {
    return app == dpi::kLatencyTcpHandshake ? std::string("tcp_handshake")
                                            : std::string(dpi::builtin_registry().name_of(app));
}

// Per protocol and per (server, protocol) percentiles from every shard's histograms.
void merge_latency(Snapshot& s, const std::vector<const pipeline::ShardSnapshot*>& shards, uint32_t top_n) {
    std::array<LatencyHistogram, dpi::kLatencyApps> apps{};
    std::map<std::pair<IpAddr, dpi::AppId>, LatencyHistogram> servers;
    for (const auto* sh : shards) {
        if (!sh || !sh->latency) continue;
        for (dpi::AppId a = 0; a < dpi::kLatencyApps; ++a) apps[a].merge(sh->latency->app(a));
        for (uint32_t i = 0; i < dpi::LatencyTable::kServerSlots; ++i) {
            const auto& sv = sh->latency->server(i);
            if (sv.used) servers[{sv.server, sv.app}].merge(sv.hist);
        }
    }
    for (dpi::AppId a = 0; a < dpi::kLatencyApps; ++a)
        if (apps[a].count()) s.latency.push_back(to_stat(latency_name(a), apps[a]));
    std::sort(s.latency.begin(), s.latency.end(), [](const auto& x, const auto& y) { return x.count > y.count; });
    for (const auto& [key, h] : servers) {
        auto st = to_stat(latency_name(key.second), h);
        st.server = key.first;
        s.server_latency.push_back(std::move(st));
    }
    std::sort(s.server_latency.begin(), s.server_latency.end(),
              [](const auto& x, const auto& y) { return x.count > y.count; });
    if (s.server_latency.size() > top_n) s.server_latency.resize(top_n);
}

}  // namespace

StatsMerger::StatsMerger(uint32_t history_points) : history_points_(history_points) {}

void StatsMerger::seed_history(const std::vector<RatePoint>& points) {
    const TimestampNs first_live = history_.empty() ? ~TimestampNs{0} : history_.front().wall_ns;
    for (auto it = points.rbegin(); it != points.rend(); ++it) {
        if (history_.size() >= history_points_) break;
        if (it->wall_ns < first_live) history_.push_front(*it);
    }
}

std::shared_ptr<Snapshot> StatsMerger::merge(const std::vector<const pipeline::ShardSnapshot*>& shards,
                               const std::vector<bool>& stale,
                               const std::vector<pipeline::CaptureThread*>& captures,
                               const std::vector<pipeline::Worker*>& workers, uint32_t top_n,
                               TimestampNs wall_now, uint64_t mono_now) {
    auto s = std::make_shared<Snapshot>();
    if (start_mono_ == 0) start_mono_ = prev_mono_ = mono_now;
    s->seq = ++seq_;
    s->wall_ns = wall_now;
    s->uptime_s = static_cast<double>(mono_now - start_mono_) / 1e9;
    s->interval_s = static_cast<double>(mono_now - prev_mono_) / 1e9;
    const double dt = s->interval_s > 0 ? s->interval_s : 1.0;

    prev_busy_.resize(shards.size(), 0);
    prev_alive_.resize(shards.size(), 0);
    std::unordered_map<IpAddr, Talker, IpHash> talkers;
    for (size_t i = 0; i < shards.size(); ++i) {
        WorkerView wv;
        wv.id = static_cast<uint32_t>(i);
        wv.stale = stale[i];
        if (i < workers.size()) wv.ring_fill = workers[i]->inbound_fill();
        const pipeline::ShardSnapshot* sh = shards[i];
        if (sh) {
            s->traffic.add(sh->traffic);
            s->packet_time = std::max(s->packet_time, sh->packet_time);
            s->flows.add(sh->flows);
            s->dpi.add(sh->dpi);
            s->active_flows += sh->active_flows;
            s->detect_shard_counters.deltas += sh->detect_counters.deltas;
            s->detect_shard_counters.deltas_dropped += sh->detect_counters.deltas_dropped;
            s->detect_shard_counters.table_evictions += sh->detect_counters.table_evictions;
            s->flow_capacity += sh->flow_capacity;
            wv.packets = sh->traffic.packets;
            wv.active_flows = sh->active_flows;
            wv.flow_capacity = sh->flow_capacity;
            wv.busy_ratio = ratio(sh->busy_ns - std::min(sh->busy_ns, prev_busy_[i]),
                                  sh->alive_ns - std::min(sh->alive_ns, prev_alive_[i]));
            prev_busy_[i] = sh->busy_ns;
            prev_alive_[i] = sh->alive_ns;
            if (!stale[i]) {
                for (const auto& t : sh->talkers) {
                    auto& m = talkers[t.ip];
                    m.ip = t.ip;
                    m.bytes_out += t.bytes_out;
                    m.bytes_in += t.bytes_in;
                    m.packets_out += t.packets_out;
                    m.packets_in += t.packets_in;
                    m.flows += t.flows;
                }
                s->top_flows.insert(s->top_flows.end(), sh->top_flows.begin(), sh->top_flows.end());
            }
        }
        s->workers.push_back(wv);
    }

    prev_cap_busy_.resize(captures.size(), 0);
    for (size_t c = 0; c < captures.size(); ++c) {
        const auto& ct = *captures[c];
        const auto& dc = ct.dispatch_counters();
        const auto& st = ct.stats();
        CaptureView cv;
        cv.name = ct.name();
        cv.state = ct.finished() ? (ct.failed() ? "failed" : "finished") : ct.paused() ? "paused" : "running";
        cv.frames = dc.frames.get();
        cv.bytes = dc.bytes.get();
        cv.kernel_packets = st.kernel_packets.get();
        cv.paused_drops = st.paused_drops.get();
        const uint64_t kernel_drops = st.kernel_drops.get();
        cv.kernel_drops = kernel_drops - std::min(kernel_drops, cv.paused_drops);
        cv.kernel_freezes = st.kernel_freezes.get();
        cv.truncated = st.truncated.get() + dc.truncated_to_slot.get();
        cv.bad_records = st.bad_records.get();
        cv.discarded_sync = st.discarded_sync.get();
        for (size_t w = 0; w < ct.dispatch_counters_workers(); ++w) {
            const uint64_t d = dc.ring_full_drops[w].get();
            cv.ring_full_drops += d;
            if (w < s->workers.size()) s->workers[w].ring_full_drops += d;
        }
        const uint64_t busy = st.busy_ns.get();
        cv.busy_ratio = ratio(busy - std::min(busy, prev_cap_busy_[c]), mono_now - prev_mono_);
        prev_cap_busy_[c] = busy;
        s->kernel_drops += cv.kernel_drops;
        s->paused_drops += cv.paused_drops;
        s->ring_full_drops += cv.ring_full_drops;
        s->captures.push_back(std::move(cv));
    }
    s->decode_invalid = s->traffic.proto_packets[static_cast<size_t>(pipeline::ProtoClass::kInvalid)];
    s->records_dropped = s->traffic.records_dropped;

    // Rates against the previous tick.
    const Snapshot* p = prev_.get();
    const auto d = [&](uint64_t now, uint64_t before) { return static_cast<double>(now - std::min(now, before)) / dt; };
    s->pps = d(s->traffic.packets, p ? p->traffic.packets : 0);
    s->bps = 8 * d(s->traffic.bytes, p ? p->traffic.bytes : 0);
    for (size_t i = 0; i < pipeline::kProtoClassCount; ++i) {
        s->proto_pps[i] = d(s->traffic.proto_packets[i], p ? p->traffic.proto_packets[i] : 0);
        s->proto_bps[i] = 8 * d(s->traffic.proto_bytes[i], p ? p->traffic.proto_bytes[i] : 0);
    }

    // Top talkers and flows of the interval, merged across shards.
    s->top_talkers.reserve(talkers.size());
    for (auto& [ip, t] : talkers) {
        t.bps = 8.0 * static_cast<double>(t.bytes_in + t.bytes_out) / dt;
        s->top_talkers.push_back(t);
    }
    std::sort(s->top_talkers.begin(), s->top_talkers.end(),
              [](const Talker& a, const Talker& b) { return a.bytes_in + a.bytes_out > b.bytes_in + b.bytes_out; });
    if (s->top_talkers.size() > top_n) s->top_talkers.resize(top_n);
    std::sort(s->top_flows.begin(), s->top_flows.end(),
              [](const auto& a, const auto& b) { return a.interval_bytes > b.interval_bytes; });
    if (s->top_flows.size() > top_n) s->top_flows.resize(top_n);

    merge_latency(*s, shards, top_n);
    if (devices_) {
        s->devices = devices_->top(top_n);
        s->device_counters = devices_->counters();
    }

    if (detection_) {
        // Open episodes first, then the most recently ended: both bounded by the manager.
        const detect::AlertManager& am = detection_->alerts();
        s->alerts = am.active();
        s->alerts.insert(s->alerts.end(), am.recent().begin(), am.recent().end());
        s->alert_counters = am.counters();
        s->detect_counters = detection_->counters();
    }

    const uint64_t drops_total = s->kernel_drops + s->paused_drops + s->ring_full_drops + s->records_dropped;
    const uint64_t drops_prev = p ? p->kernel_drops + p->paused_drops + p->ring_full_drops + p->records_dropped : 0;
    history_.push_back(RatePoint{wall_now, s->pps, s->bps, s->active_flows, drops_total - std::min(drops_total, drops_prev)});
    while (history_.size() > history_points_) history_.pop_front();
    s->history = std::make_shared<const std::vector<RatePoint>>(history_.begin(), history_.end());

    prev_mono_ = mono_now;
    prev_ = s;
    return s;
}

}  // namespace nms::stats
