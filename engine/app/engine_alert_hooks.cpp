// The API's view of detection and mitigation: live alerts come from the latest snapshot
// (immutable, so the API thread never touches the stats thread's alert manager state),
// suppressions and bans go to their thread-safe owners, and every change is also recorded
// in the store so the history and the REST lists agree.
#include "app/engine.hpp"
#include "common/time.hpp"

namespace nms::app {
namespace {

store::BanRecord ban_record(const mitigate::Ban& b) {
    store::BanRecord r;
    r.ip = b.ip.to_string();
    r.alert_id = b.alert_id;
    if (b.kind < detect::AlertKind::kCount) r.kind = detect::alert_kind_name(b.kind);
    r.created_s = static_cast<int64_t>(b.banned_at / kNsPerSec);
    r.expires_s = static_cast<int64_t>(b.expires / kNsPerSec);
    r.dry_run = b.dry_run;
    return r;
}

api::Suppression api_suppression(const detect::Suppression& s) {
    api::Suppression out;
    out.id = s.id;
    if (s.kind < detect::AlertKind::kCount) out.kind = detect::alert_kind_name(s.kind);
    out.ip = s.src_cidr;
    out.reason = s.comment;
    out.created_s = static_cast<int64_t>(s.created_ns / kNsPerSec);
    out.expires_s = static_cast<int64_t>(s.expires_ns / kNsPerSec);
    return out;
}

}  // namespace

// Mitigation events that change the list of bans, as the store keeps it.
void Engine::record_ban_event(const mitigate::BanEvent& ev) {
    if (!store_) return;
    if (ev.action == mitigate::BanAction::kBan) {
        mitigate::Ban b;
        b.ip = ev.ip;
        b.alert_id = ev.alert_id;
        b.kind = ev.kind;
        b.banned_at = ev.ts;
        b.expires = ev.expires;
        b.dry_run = ev.dry_run;
        store_->on_ban(ban_record(b));
    } else if (ev.action == mitigate::BanAction::kUnban) {
        store_->revoke_ban(ev.ip.to_string());
    }
}

void Engine::add_alert_hooks(api::ApiHooks& hooks) {
    if (detection_) {
        hooks.alerts_live = [this] {
            std::vector<detect::Alert> out;
            if (const auto s = stats_->latest())
                for (const auto& a : s->alerts)
                    if (!a.ended) out.push_back(a);
            return out;
        };
        detect::AlertManager* am = &detection_->alerts();
        hooks.suppressions_list = [am] {
            std::vector<api::Suppression> out;
            for (const auto& s : am->suppressions()) out.push_back(api_suppression(s));
            return out;
        };
        hooks.suppression_add = [am](const api::Suppression& in) -> std::optional<uint64_t> {
            detect::Suppression s;
            if (!in.kind.empty()) {
                s.kind = detect::alert_kind_from_name(in.kind);
                if (s.kind == detect::AlertKind::kCount) return std::nullopt;
            }
            s.src_cidr = in.ip;
            s.comment = in.reason.empty() ? "by " + in.created_by : in.reason + " (by " + in.created_by + ")";
            s.expires_ns = in.expires_s > 0 ? static_cast<TimestampNs>(in.expires_s) * kNsPerSec : 0;
            std::string error;
            return am->add_suppression(std::move(s), error);
        };
        hooks.suppression_remove = [am](uint64_t id) { return am->remove_suppression(id); };
    }
    if (bans_) {
        hooks.bans_list = [this] {
            std::vector<store::BanRecord> out;
            for (const auto& b : bans_->list()) out.push_back(ban_record(b));
            return out;
        };
        hooks.ban_revoke = [this](const std::string& ip, const std::string&) {
            const auto addr = IpAddr::parse(ip);
            std::string error;
            return addr && bans_->revoke(*addr, error);  // the unban event reaches the store
        };
    }
}

}  // namespace nms::app
