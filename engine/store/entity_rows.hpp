#pragma once
// What the devices, alerts and bans tables hold, as the store writes and reads them:
// StoredAlert (an Alert plus its operator state), BanRecord, and the filters of the read side.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "detect/alert.hpp"
#include "devices/device_table.hpp"

namespace nms::store {

// Alert lifecycle as an operator sees it: open until acknowledged, closed once it ended.
inline constexpr const char* kAlertStates[] = {"open", "acknowledged", "closed"};

struct StoredAlert {
    detect::Alert alert;
    std::string state = "open";
    std::string acknowledged_by;
    int64_t acknowledged_s = 0;   // wall clock, 0 = not acknowledged
    int64_t updated_s = 0;        // last write, wall clock
};

// A mitigation ban (written by the ban manager through StoreThread::on_ban).
struct BanRecord {
    std::string ip;
    uint64_t alert_id = 0;        // 0 = manual
    std::string kind;             // alert kind name
    int64_t created_s = 0;        // wall clock
    int64_t expires_s = 0;        // 0 = never
    int64_t revoked_s = 0;        // 0 = not revoked
    bool dry_run = false;
    [[nodiscard]] bool active(int64_t now_s) const noexcept {
        return revoked_s == 0 && (expires_s == 0 || expires_s > now_s);
    }
};

// One alert lifecycle change as queued for the store thread.
struct AlertChange {
    detect::Alert alert;
    detect::AlertPhase phase = detect::AlertPhase::kOpened;
};

// An operator or mitigation action queued for the store thread.
struct StoreCommand {
    enum class Kind : uint8_t { kAcknowledge, kBan, kRevokeBan, kEvidence, kDetectorState } kind = Kind::kAcknowledge;
    uint64_t alert_id = 0;        // kAcknowledge, kEvidence
    std::string user;             // kAcknowledge
    std::string file;             // kEvidence: the pcap file name under <data_dir>/evidence/
    BanRecord ban;                // kBan; kRevokeBan uses ban.ip
    std::string detector;         // kDetectorState: the detector's kind name
    std::string state;            // kDetectorState: its save_state() text
    int64_t now_s = 0;            // when it was asked (wall clock)
};

struct AlertFilter {
    int64_t since_ns = 0;         // last_ns >= since (0 = no bound)
    int64_t until_ns = 0;         // first_ns < until (0 = no bound)
    std::string kind;             // "" = any
    std::string severity;         // "" = any
    std::string state;            // "" = any
    std::string ip;               // src or victim, "" = any
    uint32_t limit = 100;
    uint32_t offset = 0;
};

struct AlertPage {
    std::vector<StoredAlert> items;
    uint64_t total = 0;           // matches before paging
};

struct AlertCount {
    std::string kind, severity;
    uint64_t count = 0;
};

}  // namespace nms::store
