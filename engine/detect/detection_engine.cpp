#include "detect/detection_engine.hpp"

#include <algorithm>

#include "detect/registry.hpp"

namespace nms::detect {
namespace {

// Packet time a worker may lag behind the newest one before its second is judged without it.
constexpr int64_t kGraceSeconds = 2;

}  // namespace

std::optional<Severity> severity_from_name(std::string_view name) noexcept {
    for (int s = 0; s <= static_cast<int>(Severity::kCritical); ++s)
        if (name == severity_name(static_cast<Severity>(s))) return static_cast<Severity>(s);
    return std::nullopt;
}

// Applies allowlists and the severity override, then hands the candidate to the manager.
class DetectionEngine::GatedSink final : public AlertSink {
 public:
    GatedSink(DetectionEngine& e, const Slot& s) : engine_(e), slot_(s) {}
    void raise(AlertCandidate&& c) override {
        c.kind = slot_.global->kind();
        const bool by_src = c.has_src && !c.key_by_victim;
        const IpAddr* who = by_src ? &c.src : (c.has_victim ? &c.victim : nullptr);
        const auto listed = [&](const Allowlist& a) {
            return (who && a.contains_ip(*who)) || (!c.src_mac.empty() && a.contains_mac(c.src_mac));
        };
        if (listed(engine_.global_allowlist_) || listed(slot_.allowlist)) {
            ++engine_.counters_.allowlisted;
            return;
        }
        // A detector may escalate above its kind's default (arp_spoof's man-in-the-middle
        // pattern, a login accepted after a brute-force run); the config override wins.
        c.severity = slot_.severity ? *slot_.severity : std::max(c.severity, alert_kind_info(c.kind).default_severity);
        engine_.alerts_.raise(std::move(c));
    }

 private:
    DetectionEngine& engine_;
    const Slot& slot_;
};

DetectionEngine::DetectionEngine(const config::DetectConfig& cfg, const devices::LocalNets* local_nets, bool offline,
                                 AlertManager::Clock wall_clock)
    : cfg_(cfg), local_nets_(local_nets), offline_(offline), alerts_({}, std::move(wall_clock)) {
    const auto& all = builtin_detectors();
    part_count_ = all.size();
    const DetectorSetup setup{cfg_, local_nets_, 0};
    for (size_t i = 0; i < all.size(); ++i) {
        Slot s;
        s.index = i;
        s.global = all[i].make_global(setup);
        s.global->configure(cfg_);
        if (!cfg_.enabled || !s.global->common().enabled) continue;
        slots_.push_back(std::move(s));
    }
    configure(cfg_);
}

DetectionEngine::~DetectionEngine() = default;

std::unique_ptr<ShardDetectorSet> DetectionEngine::make_shard_set(uint32_t worker) const {
    const auto& all = builtin_detectors();
    const DetectorSetup setup{cfg_, local_nets_, worker};
    std::vector<std::unique_ptr<ShardDetector>> shards(all.size());
    for (const Slot& s : slots_)
        if (all[s.index].make_shard) shards[s.index] = all[s.index].make_shard(setup);
    return std::make_unique<ShardDetectorSet>(std::move(shards));
}

void DetectionEngine::configure(const config::DetectConfig& cfg) {
    cfg_ = cfg;
    alerts_.set_options({cfg.episode_timeout_s, cfg.update_interval_s});
    global_allowlist_ = Allowlist(cfg.allowlist, cfg.allowlist_macs);
    for (Slot& s : slots_) {
        s.global->configure(cfg);
        const config::DetectorCommon& c = s.global->common();
        s.allowlist = Allowlist(c.allowlist, c.allowlist_macs);
        s.severity = severity_from_name(c.severity);
    }
}

void DetectionEngine::reload(const config::DetectConfig& cfg) {
    std::lock_guard lock(reload_mutex_);
    pending_config_ = cfg;
    reload_pending_.store(true, std::memory_order_release);
}

void DetectionEngine::absorb_one(const DetectDelta& d) {
    ++counters_.deltas;
    for (Slot& s : slots_)
        if (s.index < d.parts.size() && d.parts[s.index]) s.global->absorb(*d.parts[s.index], d.second);
}

void DetectionEngine::absorb(std::vector<DetectDelta>&& deltas) {
    for (DetectDelta& d : deltas) {
        if (evaluated_any_ && d.second <= evaluated_) {
            // Its second was judged already; its counts still go into the windows.
            ++counters_.late_deltas;
            absorb_one(d);
            continue;
        }
        pending_[d.second].push_back(std::move(d));
    }
}

void DetectionEngine::on_device_event(const devices::DeviceEvent& ev) {
    if (device_events_.size() < 4096) device_events_.push_back(ev);
}

void DetectionEngine::evaluate(int64_t second) {
    DetectView view;
    view.second = second;
    view.now = static_cast<TimestampNs>(second + 1) * kNsPerSec - 1;
    view.local_nets = local_nets_;
    view.device_events = device_events_;
    for (Slot& s : slots_) {
        GatedSink sink(*this, s);
        s.global->evaluate(view, view.now, sink);
    }
    device_events_.clear();
    ++counters_.evaluations;
    evaluated_any_ = true;
    evaluated_ = std::max(evaluated_, second);
    alerts_.tick(view.now);
}

void DetectionEngine::tick(TimestampNs packet_time, uint64_t mono_now, bool final) {
    if (reload_pending_.exchange(false, std::memory_order_acquire)) {
        std::lock_guard lock(reload_mutex_);
        if (pending_config_) configure(*pending_config_);
        pending_config_.reset();
    }
    if (packet_time > last_packet_time_ || mono_at_packet_time_ == 0) {
        last_packet_time_ = std::max(last_packet_time_, packet_time);
        mono_at_packet_time_ = mono_now;
    }
    // Live, time goes on while the link is quiet (episodes must end); a replay has only packet time.
    const TimestampNs now = offline_ ? last_packet_time_ : last_packet_time_ + (mono_now - mono_at_packet_time_);
    const int64_t complete = static_cast<int64_t>(now / kNsPerSec) - kGraceSeconds;
    while (!pending_.empty() && (final || pending_.begin()->first <= complete)) {
        auto node = pending_.extract(pending_.begin());
        for (const DetectDelta& d : node.mapped()) absorb_one(d);
        evaluate(node.key());
    }
    if (!device_events_.empty() && (final || evaluated_any_)) evaluate(std::max(evaluated_, complete));
    if (final && keep_open_at_end_) {
        alerts_.flush_updates(now);
    } else if (final) {
        alerts_.end_all(now);
    } else if (now) {
        alerts_.tick(now);
    }
}

std::vector<std::pair<AlertKind, std::string>> DetectionEngine::save_state() const {
    std::vector<std::pair<AlertKind, std::string>> out;
    for (const Slot& s : slots_) {
        std::string st = s.global->save_state();
        if (!st.empty()) out.emplace_back(s.global->kind(), std::move(st));
    }
    return out;
}

void DetectionEngine::load_state(AlertKind kind, std::string_view text) {
    for (Slot& s : slots_)
        if (s.global->kind() == kind) s.global->load_state(text);
}

}  // namespace nms::detect
