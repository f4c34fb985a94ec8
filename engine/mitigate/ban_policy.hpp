#pragma once
// BanPolicy: whether an alert's source may be banned. Pure decision logic (no nftables, no
// threads), so every rule is unit-tested: the kind must be mitigable and at least
// min_severity, the source must not be allowlisted, local infrastructure ([mitigation]
// protected) or one of this host's addresses, and bans are rate-limited per minute.
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "common/ip_addr.hpp"
#include "config/config.hpp"
#include "detect/alert.hpp"
#include "devices/local_nets.hpp"

namespace nms::mitigate {

enum class Verdict : uint8_t {
    kBan,
    kIgnore,  // not a matter for mitigation (kind, severity): counted, no event
    kSkip,    // a ban that policy refuses: an EVE "skip" event with the reason
};

struct Decision {
    Verdict verdict = Verdict::kIgnore;
    const char* reason = "";  // "allowlisted", "protected", "own_address", "rate_limited", ...
};

// "high" -> kHigh; nullopt for an unknown word.
std::optional<detect::Severity> severity_from_name(std::string_view name) noexcept;

class BanPolicy {
 public:
    BanPolicy(const config::MitigationConfig& cfg, std::vector<IpAddr> own_addresses);

    // `now_mono_ns`: monotonic clock for the per-minute rate limit; a kBan counts against it.
    Decision decide(const detect::Alert& alert, uint64_t now_mono_ns);

    [[nodiscard]] bool allowlisted(const IpAddr& ip) const noexcept { return allow_ && allow_->contains(ip); }
    [[nodiscard]] bool is_protected(const IpAddr& ip) const noexcept {
        return protected_ && protected_->contains(ip);
    }
    [[nodiscard]] bool is_own(const IpAddr& ip) const noexcept;

 private:
    detect::Severity min_severity_;
    uint32_t max_per_minute_;
    std::optional<devices::LocalNets> allow_;       // empty = none (LocalNets{} means its defaults)
    std::optional<devices::LocalNets> protected_;
    std::vector<IpAddr> own_;                       // sorted
    std::deque<uint64_t> recent_bans_;              // monotonic times of bans in the last minute
};

}  // namespace nms::mitigate
