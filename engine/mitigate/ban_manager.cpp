#include "mitigate/ban_manager.hpp"

#include <chrono>

#include "common/cpu.hpp"
#include "common/log.hpp"
#include "common/time.hpp"

namespace nms::mitigate {
namespace {

constexpr auto kSweepInterval = std::chrono::seconds(1);

}  // namespace

BanManager::BanManager(const config::MitigationConfig& cfg, std::vector<IpAddr> own_addresses,
                       BanEventListener listener)
    : ban_seconds_(cfg.ban_seconds),
      dry_run_(cfg.dry_run),
      listener_(std::move(listener)),
      policy_(cfg, std::move(own_addresses)) {
    if (!dry_run_) nft_ = std::make_unique<NftRuleset>(cfg.table);
}

BanManager::~BanManager() { stop(); }

std::optional<std::string> BanManager::open() {
    if (dry_run_) {
        log::info("mitigation: dry run: bans are decided and reported, nftables is not touched");
        return std::nullopt;
    }
    std::string error;
    if (!nft_->create(error))
        return "mitigation: cannot create nftables table inet " + nft_->table() + ": " + error +
               " (needs CAP_NET_ADMIN and nf_tables; or set mitigation.dry_run = true)";
    table_created_ = true;
    log::info("mitigation: nftables table inet %s ready (bans of %u s)", nft_->table().c_str(), ban_seconds_);
    return std::nullopt;
}

void BanManager::start() {
    if (thread_.joinable()) return;
    thread_ = std::thread([this] { run(); });
}

void BanManager::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ && !thread_.joinable() && !table_created_) return;
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    if (!table_created_) return;
    // The bans end with the table: report them as lifted.
    std::vector<BanEvent> events;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [ip, e] : active_) {
            if (e.confirmed)
                events.push_back(make_event(BanAction::kUnban, ip, "shutdown", e.ban.alert_id, e.ban.kind, 0));
        }
        active_.clear();
        queue_.clear();
        table_created_ = false;
    }
    std::string error;
    if (!nft_->destroy(error)) log::warn("mitigation: cannot delete table inet %s: %s", nft_->table().c_str(), error.c_str());
    for (const auto& ev : events) emit(ev);
}

void BanManager::remember(uint64_t alert_id) {
    if (decided_.insert(alert_id).second) decided_order_.push_back(alert_id);
    if (decided_order_.size() > kDecidedMemory) {
        decided_.erase(decided_order_.front());
        decided_order_.pop_front();
    }
}

BanEvent BanManager::make_event(BanAction action, const IpAddr& ip, const char* reason, uint64_t alert_id,
                                detect::AlertKind kind, TimestampNs expires) const {
    BanEvent ev;
    ev.ts = wall_ns();
    ev.action = action;
    ev.reason = reason;
    ev.ip = ip;
    ev.alert_id = alert_id;
    ev.kind = kind;
    ev.expires = expires;
    ev.ban_seconds = ban_seconds_;
    ev.dry_run = dry_run_;
    return ev;
}

void BanManager::emit(const BanEvent& ev) {
    if (ev.action == BanAction::kSkip) {
        log::info("mitigation: not banning %s (%s)", ev.ip.to_string().c_str(), ev.reason.c_str());
    } else {
        log::info("mitigation: %s%s %s%s%s", dry_run_ ? "[dry run] " : "", ban_action_name(ev.action),
                  ev.ip.to_string().c_str(), ev.reason.empty() ? "" : " ", ev.reason.c_str());
    }
    if (listener_) listener_(ev);
}

void BanManager::on_alert(const detect::Alert& alert, detect::AlertPhase phase) noexcept {
    if (phase == detect::AlertPhase::kEnded) return;
    try {
        std::optional<BanEvent> ev;
        {
            std::lock_guard lock(mutex_);
            if (stopping_ || decided_.count(alert.id)) return;
            if (alert.has_src && active_.count(alert.src)) {
                ++counters_.already_banned;
                remember(alert.id);
                return;
            }
            const Decision d = policy_.decide(alert, monotonic_ns());
            const IpAddr ip = alert.has_src ? alert.src : alert.victim;
            if (d.verdict == Verdict::kIgnore) {
                ++counters_.ignored;  // severity may still rise: decide again on the next update
                return;
            }
            remember(alert.id);
            if (d.verdict == Verdict::kSkip) {
                ++counters_.skips;
                if (std::string_view(d.reason) == "rate_limited") ++counters_.rate_limited;
                ev = make_event(BanAction::kSkip, ip, d.reason, alert.id, alert.kind, 0);
            } else if (dry_run_) {
                const TimestampNs now = wall_ns();
                Entry e;
                e.ban = Ban{ip, alert.id, alert.kind, now, now + uint64_t{ban_seconds_} * kNsPerSec, true};
                e.confirmed = true;
                active_[ip] = e;
                ++counters_.bans;
                ev = make_event(BanAction::kBan, ip, "", alert.id, alert.kind, e.ban.expires);
            } else if (queue_.size() >= kQueueCapacity) {
                ++counters_.skips;
                ++counters_.queue_full;
                ev = make_event(BanAction::kSkip, ip, "queue_full", alert.id, alert.kind, 0);
            } else {
                Entry e;  // pending until the nft thread has added the element
                e.ban = Ban{ip, alert.id, alert.kind, 0, 0, false};
                active_[ip] = e;
                queue_.push_back(Pending{ip, alert.id, alert.kind});
            }
        }
        if (ev) emit(*ev);
        else cv_.notify_one();
    } catch (...) {
        // Out of memory on the stats thread: drop this decision rather than take the tick down.
    }
}

void BanManager::execute(const Pending& p) {
    std::string error;
    const bool ok = nft_->add(p.ip, ban_seconds_, error);
    const TimestampNs now = wall_ns();
    BanEvent ev;
    {
        std::lock_guard lock(mutex_);
        auto it = active_.find(p.ip);
        if (ok) {
            ++counters_.bans;
            if (it == active_.end()) it = active_.emplace(p.ip, Entry{}).first;  // revoked while queued: still banned now
            it->second.ban = Ban{p.ip, p.alert_id, p.kind, now, now + uint64_t{ban_seconds_} * kNsPerSec, false};
            it->second.confirmed = true;
            it->second.confirmed_mono = monotonic_ns();
            ev = make_event(BanAction::kBan, p.ip, "", p.alert_id, p.kind, it->second.ban.expires);
        } else {
            ++counters_.nft_errors;
            ++counters_.skips;
            if (it != active_.end() && !it->second.confirmed) active_.erase(it);
            ev = make_event(BanAction::kSkip, p.ip, "nft_error", p.alert_id, p.kind, 0);
        }
    }
    if (!ok) log::warn("mitigation: cannot ban %s: %s", p.ip.to_string().c_str(), error.c_str());
    emit(ev);
}

void BanManager::sweep_expired() {
    std::vector<BanEvent> events;
    if (dry_run_) {
        const TimestampNs now = wall_ns();
        std::lock_guard lock(mutex_);
        for (auto it = active_.begin(); it != active_.end();) {
            if (it->second.ban.expires <= now) {
                ++counters_.expiries;
                events.push_back(make_event(BanAction::kExpire, it->first, "", it->second.ban.alert_id,
                                            it->second.ban.kind, it->second.ban.expires));
                it = active_.erase(it);
            } else {
                ++it;
            }
        }
    } else {
        {
            std::lock_guard lock(mutex_);
            bool any = false;
            for (const auto& [ip, e] : active_) any = any || e.confirmed;
            if (!any) return;  // nothing of ours can have expired: no netlink round trip
        }
        const uint64_t listed_mono = monotonic_ns();
        std::vector<NftElement> present;
        std::string error;
        if (!nft_->list(present, error)) {
            std::lock_guard lock(mutex_);
            ++counters_.nft_errors;
            log::warn("mitigation: cannot read the ban sets: %s", error.c_str());
            return;
        }
        std::lock_guard lock(mutex_);
        for (auto it = active_.begin(); it != active_.end();) {
            const Entry& e = it->second;
            // Only bans confirmed before the listing started can be judged by it.
            const bool judged = e.confirmed && e.confirmed_mono < listed_mono;
            bool there = false;
            for (const auto& el : present) there = there || el.ip == it->first;
            if (judged && !there) {
                ++counters_.expiries;
                events.push_back(make_event(BanAction::kExpire, it->first, "", e.ban.alert_id, e.ban.kind, e.ban.expires));
                it = active_.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (const auto& ev : events) emit(ev);
}

void BanManager::run() {
    name_current_thread("nms-mitigate");
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        if (!queue_.empty()) {
            const Pending p = queue_.front();
            queue_.pop_front();
            lock.unlock();
            execute(p);
            lock.lock();
            continue;
        }
        cv_.wait_for(lock, kSweepInterval, [this] { return stopping_ || !queue_.empty(); });
        if (stopping_ || !queue_.empty()) continue;
        lock.unlock();
        sweep_expired();
        lock.lock();
    }
}

std::vector<Ban> BanManager::list() {
    std::vector<Ban> out;
    if (dry_run_) {
        std::lock_guard lock(mutex_);
        for (const auto& [ip, e] : active_) out.push_back(e.ban);
        return out;
    }
    std::vector<NftElement> present;
    std::string error;
    if (!nft_->list(present, error)) {
        log::warn("mitigation: cannot read the ban sets: %s", error.c_str());
        return out;
    }
    const TimestampNs now = wall_ns();
    std::lock_guard lock(mutex_);
    for (const auto& el : present) {
        Ban b;
        b.ip = el.ip;
        b.expires = now + uint64_t{el.expires_s} * kNsPerSec;
        if (auto it = active_.find(el.ip); it != active_.end()) {
            b.alert_id = it->second.ban.alert_id;
            b.kind = it->second.ban.kind;
            b.banned_at = it->second.ban.banned_at;
        }
        out.push_back(b);
    }
    return out;
}

bool BanManager::revoke(const IpAddr& ip, std::string& error) {
    Entry entry;
    {
        std::lock_guard lock(mutex_);
        auto it = active_.find(ip);
        if (dry_run_ && it == active_.end()) {
            error = ip.to_string() + " is not banned";
            return false;
        }
        if (it != active_.end()) entry = it->second;
    }
    if (!dry_run_ && !nft_->remove(ip, error)) {
        error = ip.to_string() + " is not banned (" + error + ")";
        return false;
    }
    {
        std::lock_guard lock(mutex_);
        active_.erase(ip);
        ++counters_.unbans;
    }
    emit(make_event(BanAction::kUnban, ip, "revoked", entry.ban.alert_id, entry.ban.kind, 0));
    return true;
}

BanCounters BanManager::counters() const {
    std::lock_guard lock(mutex_);
    return counters_;
}

}  // namespace nms::mitigate
