#include "detect/alert_manager.hpp"

#include <algorithm>

#include "devices/local_nets.hpp"

namespace nms::detect {
namespace {

constexpr size_t kMaxPeers = 10;

bool valid_cidr_or_empty(const std::string& cidr) {
    if (cidr.empty()) return true;
    return devices::LocalNets({cidr}, false).size() == 1;
}

bool in_cidr(const std::string& cidr, const IpAddr& ip) {
    return devices::LocalNets({cidr}, false).contains(ip);
}

}  // namespace

AlertManager::AlertManager(AlertManagerOptions opts, Clock wall_clock)
    : opts_(opts), wall_clock_(wall_clock ? std::move(wall_clock) : Clock([] { return wall_ns(); })) {}

std::optional<uint64_t> AlertManager::add_suppression(Suppression s, std::string& error) {
    if (!valid_cidr_or_empty(s.src_cidr) || !valid_cidr_or_empty(s.victim_cidr)) {
        error = "src and victim must be CIDRs such as 10.0.0.0/8 or 2001:db8::/32 (or empty for any)";
        return std::nullopt;
    }
    std::lock_guard lock(supp_mutex_);
    s.id = next_supp_id_++;
    s.hits = 0;
    if (s.created_ns == 0) s.created_ns = wall_clock_();
    supps_.push_back(std::move(s));
    return supps_.back().id;
}

std::vector<Suppression> AlertManager::suppressions() const {
    std::lock_guard lock(supp_mutex_);
    return supps_;
}

bool AlertManager::remove_suppression(uint64_t id) {
    std::lock_guard lock(supp_mutex_);
    const auto it = std::find_if(supps_.begin(), supps_.end(), [id](const Suppression& s) { return s.id == id; });
    if (it == supps_.end()) return false;
    supps_.erase(it);
    return true;
}

bool AlertManager::suppressed(const AlertCandidate& c) {
    std::lock_guard lock(supp_mutex_);
    const TimestampNs wall = wall_clock_();
    // Expired suppressions go away here, so the list never grows with stale entries.
    std::erase_if(supps_, [wall](const Suppression& s) { return s.expires_ns != 0 && s.expires_ns <= wall; });
    for (Suppression& s : supps_) {
        if (s.kind != AlertKind::kCount && s.kind != c.kind) continue;
        if (!s.src_cidr.empty() && !(c.has_src && in_cidr(s.src_cidr, c.src))) continue;
        if (!s.victim_cidr.empty() && !(c.has_victim && in_cidr(s.victim_cidr, c.victim))) continue;
        ++s.hits;
        return true;
    }
    return false;
}

// (kind, source); (kind, victim) for many-source kinds; (kind, MAC) for a device without an
// address. Built from the alert so an episode loaded from the store gets the key it had.
AlertManager::Key AlertManager::key_of(const Alert& a) {
    Key key{static_cast<uint8_t>(a.kind), false, IpAddr{}, std::string()};
    if (a.has_src && !a.key_by_victim) {
        std::get<2>(key) = a.src;
    } else if (a.has_victim) {
        std::get<1>(key) = true;
        std::get<2>(key) = a.victim;
    } else {
        std::get<3>(key) = a.src_mac;
    }
    return key;
}

void AlertManager::emit(const Alert& a, AlertPhase phase) {
    for (AlertListener* l : listeners_) l->on_alert(a, phase);
}

void AlertManager::fold(Alert& a, AlertCandidate&& c) {
    a.last_seen = std::max(a.last_seen, c.ts);
    a.severity = std::max(a.severity, c.severity);
    if (c.has_victim) {
        a.has_victim = true;
        a.victim = c.victim;
    }
    a.victim_count = std::max(a.victim_count, c.victim_count);
    if (a.src_mac.empty()) a.src_mac = std::move(c.src_mac);
    // Peers: the busiest of both lists, counts as the larger of the two measurements.
    for (const Contributor& p : c.top_peers) {
        auto it = std::find_if(a.top_peers.begin(), a.top_peers.end(), [&](const Contributor& q) { return q.ip == p.ip; });
        if (it == a.top_peers.end()) a.top_peers.push_back(p);
        else it->count = std::max(it->count, p.count);
    }
    std::stable_sort(a.top_peers.begin(), a.top_peers.end(),
                     [](const Contributor& x, const Contributor& y) { return x.count > y.count; });
    if (a.top_peers.size() > kMaxPeers) a.top_peers.resize(kMaxPeers);
    // The explanation and evidence describe the strongest window of the episode (its peak),
    // so an update never shows a smaller number than the operator saw before.
    if (a.explanation.metric.empty() || c.explanation.value >= a.explanation.value) {
        a.explanation = std::move(c.explanation);
        a.evidence = std::move(c.evidence);
    }
}

void AlertManager::raise(AlertCandidate&& c) {
    if (c.kind >= AlertKind::kCount) return;
    AlertKindCounters& k = counters_[static_cast<size_t>(c.kind)];
    ++k.candidates;
    if (suppressed(c)) {
        ++k.suppressed;
        return;
    }
    Alert opening;  // the key fields, as the episode will keep them
    opening.kind = c.kind;
    opening.has_src = c.has_src;
    opening.src = c.src;
    opening.key_by_victim = c.key_by_victim;
    opening.has_victim = c.has_victim;
    opening.victim = c.victim;
    opening.src_mac = c.src_mac;
    Key key = key_of(opening);
    auto it = episodes_.find(key);
    if (it != episodes_.end()) {
        fold(it->second.alert, std::move(c));
        it->second.dirty = true;
        return;
    }
    if (episodes_.size() >= opts_.max_active) {
        ++k.dropped;
        return;
    }
    Episode e;
    Alert& a = e.alert;
    a.id = next_id_++;
    a.kind = c.kind;
    a.severity = c.severity;
    a.has_src = c.has_src;
    a.src = c.src;
    a.key_by_victim = opening.key_by_victim;
    a.first_seen = a.last_seen = c.ts;
    fold(a, std::move(c));
    e.last_emit = a.first_seen;
    ++k.opened;
    const Alert& stored = episodes_.emplace(std::move(key), std::move(e)).first->second.alert;
    emit(stored, AlertPhase::kOpened);
}

void AlertManager::finish(Episode& e) {
    e.alert.ended = true;
    ++counters_[static_cast<size_t>(e.alert.kind)].ended;
    emit(e.alert, AlertPhase::kEnded);
    recent_.push_front(std::move(e.alert));
    while (recent_.size() > opts_.max_recent) recent_.pop_back();
}

void AlertManager::tick(TimestampNs now) {
    const TimestampNs timeout = TimestampNs{opts_.episode_timeout_s} * kNsPerSec;
    const TimestampNs every = TimestampNs{opts_.update_interval_s} * kNsPerSec;
    for (auto it = episodes_.begin(); it != episodes_.end();) {
        Episode& e = it->second;
        if (now >= e.alert.last_seen + timeout) {
            finish(e);
            it = episodes_.erase(it);
            continue;
        }
        if (e.dirty && now >= e.last_emit + every) {
            ++e.alert.updates;
            ++counters_[static_cast<size_t>(e.alert.kind)].updated;
            e.dirty = false;
            e.last_emit = now;
            emit(e.alert, AlertPhase::kUpdated);
        }
        ++it;
    }
}

void AlertManager::end_all(TimestampNs now) {
    (void)now;
    for (auto& [key, e] : episodes_) finish(e);
    episodes_.clear();
}

void AlertManager::flush_updates(TimestampNs now) {
    for (auto& [key, e] : episodes_) {
        if (!e.dirty) continue;
        ++e.alert.updates;
        ++counters_[static_cast<size_t>(e.alert.kind)].updated;
        e.dirty = false;
        e.last_emit = now;
        emit(e.alert, AlertPhase::kUpdated);
    }
}

size_t AlertManager::restore(std::vector<Alert> open) {
    size_t taken = 0;
    for (Alert& a : open) {
        if (a.kind >= AlertKind::kCount || a.ended || a.id == 0) continue;
        if (episodes_.size() >= opts_.max_active) break;
        next_id_ = std::max(next_id_, a.id + 1);
        Episode e;
        e.last_emit = a.last_seen;
        Key key = key_of(a);
        e.alert = std::move(a);
        if (episodes_.emplace(std::move(key), std::move(e)).second) ++taken;
    }
    return taken;
}

std::vector<Alert> AlertManager::active() const {
    std::vector<Alert> out;
    out.reserve(episodes_.size());
    for (const auto& [key, e] : episodes_) out.push_back(e.alert);
    std::sort(out.begin(), out.end(), [](const Alert& a, const Alert& b) { return a.last_seen > b.last_seen; });
    return out;
}

}  // namespace nms::detect
