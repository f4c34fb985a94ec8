#include "mitigate/ban_policy.hpp"

#include <algorithm>

#include "common/time.hpp"

namespace nms::mitigate {

std::optional<detect::Severity> severity_from_name(std::string_view name) noexcept {
    for (uint8_t s = 0; s <= static_cast<uint8_t>(detect::Severity::kCritical); ++s) {
        const auto sev = static_cast<detect::Severity>(s);
        if (name == detect::severity_name(sev)) return sev;
    }
    return std::nullopt;
}

BanPolicy::BanPolicy(const config::MitigationConfig& cfg, std::vector<IpAddr> own_addresses)
    : min_severity_(severity_from_name(cfg.min_severity).value_or(detect::Severity::kHigh)),
      max_per_minute_(cfg.max_bans_per_minute),
      own_(std::move(own_addresses)) {
    if (!cfg.allowlist.empty()) allow_.emplace(cfg.allowlist);
    if (!cfg.protected_networks.empty()) protected_.emplace(cfg.protected_networks);
    std::sort(own_.begin(), own_.end());
}

bool BanPolicy::is_own(const IpAddr& ip) const noexcept { return std::binary_search(own_.begin(), own_.end(), ip); }

Decision BanPolicy::decide(const detect::Alert& alert, uint64_t now_mono_ns) {
    if (alert.kind >= detect::AlertKind::kCount || !detect::alert_kind_info(alert.kind).mitigable)
        return {Verdict::kIgnore, "not_mitigable"};
    if (alert.severity < min_severity_) return {Verdict::kIgnore, "below_min_severity"};
    if (!alert.has_src) return {Verdict::kSkip, "no_source"};
    if (allowlisted(alert.src)) return {Verdict::kSkip, "allowlisted"};
    if (is_protected(alert.src)) return {Verdict::kSkip, "protected"};
    if (is_own(alert.src)) return {Verdict::kSkip, "own_address"};
    while (!recent_bans_.empty() && recent_bans_.front() + 60 * kNsPerSec <= now_mono_ns) recent_bans_.pop_front();
    if (recent_bans_.size() >= max_per_minute_) return {Verdict::kSkip, "rate_limited"};
    recent_bans_.push_back(now_mono_ns);
    return {Verdict::kBan, ""};
}

}  // namespace nms::mitigate
