#pragma once
// BanEvent: one thing mitigation did (or decided not to do) about one address. Rendered as
// EVE event_type "ban" (output::append_ban_event); the API lists active bans as Ban.
#include <cstdint>
#include <string>

#include "common/ip_addr.hpp"
#include "common/time.hpp"
#include "detect/alert.hpp"

namespace nms::mitigate {

enum class BanAction : uint8_t { kBan = 0, kUnban, kExpire, kSkip };

inline constexpr const char* ban_action_name(BanAction a) noexcept {
    constexpr const char* kNames[] = {"ban", "unban", "expire", "skip"};
    return static_cast<size_t>(a) < 4 ? kNames[static_cast<size_t>(a)] : "skip";
}

struct BanEvent {
    TimestampNs ts = 0;               // wall clock
    BanAction action = BanAction::kSkip;
    std::string reason;               // skip: why; unban: "revoked" | "shutdown"; else empty
    IpAddr ip;
    uint64_t alert_id = 0;            // 0 when not caused by an alert (revoke, shutdown)
    detect::AlertKind kind = detect::AlertKind::kCount;  // kCount when unknown
    TimestampNs expires = 0;          // ban: when the kernel drops the element; 0 otherwise
    uint32_t ban_seconds = 0;
    bool dry_run = false;
};

// An active ban as list() reports it.
struct Ban {
    IpAddr ip;
    uint64_t alert_id = 0;
    detect::AlertKind kind = detect::AlertKind::kCount;
    TimestampNs banned_at = 0;        // wall clock
    TimestampNs expires = 0;          // wall clock; from the nft set (its own countdown) when live
    bool dry_run = false;
};

}  // namespace nms::mitigate
