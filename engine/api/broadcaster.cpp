#include "api/broadcaster.hpp"

namespace nms::api {

void Broadcaster::join(const std::shared_ptr<WsClient>& client) {
    std::lock_guard lock(mutex_);
    clients_list_.push_back(client);
    clients_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<AlertChangeView> Broadcaster::alert_changes(const stats::Snapshot& snap) {
    std::vector<AlertChangeView> out;
    std::unordered_map<uint64_t, AlertMark> marks;
    marks.reserve(snap.alerts.size());
    for (const auto& a : snap.alerts) {
        const AlertMark now{a.updates, a.last_seen, a.ended, !a.evidence_pcap.empty()};
        marks.emplace(a.id, now);
        // The first tick seen only sets the baseline: a client connecting later wants news,
        // not every alert the engine has open (GET /api/v1/alerts lists those).
        if (!alerts_seen_) continue;
        const auto it = alert_marks_.find(a.id);
        if (it == alert_marks_.end()) {
            out.push_back({&a, a.ended ? detect::AlertPhase::kEnded : detect::AlertPhase::kOpened});
            continue;
        }
        const AlertMark& was = it->second;
        if (now.ended && !was.ended) out.push_back({&a, detect::AlertPhase::kEnded});
        else if (now.updates != was.updates || now.last_seen != was.last_seen || now.has_evidence != was.has_evidence)
            out.push_back({&a, detect::AlertPhase::kUpdated});
    }
    alert_marks_ = std::move(marks);
    alerts_seen_ = true;
    return out;
}

void Broadcaster::publish(const stats::Snapshot& snap) {
    const auto changes = alert_changes(snap);  // every tick, so "since the last tick" holds
    std::vector<std::shared_ptr<WsClient>> live;
    unsigned wanted = 0;
    {
        std::lock_guard lock(mutex_);
        if (stopped_) return;
        std::erase_if(clients_list_, [](const std::weak_ptr<WsClient>& w) { return w.expired(); });
        live.reserve(clients_list_.size());
        for (const auto& w : clients_list_)
            if (auto c = w.lock()) {
                wanted |= c->topics();
                live.push_back(std::move(c));
            }
    }
    const auto want = [wanted](Topic t) { return (wanted & (1u << static_cast<unsigned>(t))) != 0; };
    // Rendered outside the lock (it takes a while), once for all clients.
    TickFrames frames;
    if (want(Topic::kStats)) frames[static_cast<size_t>(Topic::kStats)] = stats_frame(snap);
    if (want(Topic::kFlows)) frames[static_cast<size_t>(Topic::kFlows)] = flows_frame(snap);
    if (want(Topic::kAlerts) && !changes.empty()) frames[static_cast<size_t>(Topic::kAlerts)] = alerts_frame(snap, changes);
    if (want(Topic::kDevices) && !snap.device_events.empty())
        frames[static_cast<size_t>(Topic::kDevices)] = devices_frame(snap);
    {
        std::lock_guard lock(mutex_);
        // Kept only while someone listens; a topic nobody wants has no stale frame to hand out.
        for (Topic t : {Topic::kStats, Topic::kFlows}) latest_[static_cast<size_t>(t)] = frames[static_cast<size_t>(t)];
    }
    if (live.empty()) return;
    for (const auto& c : live) c->deliver(frames);
}

Frame Broadcaster::latest(Topic topic) const {
    std::lock_guard lock(mutex_);
    return latest_[static_cast<size_t>(topic)];
}

void Broadcaster::stop() {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    clients_list_.clear();
}

}  // namespace nms::api
