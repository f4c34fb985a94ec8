#pragma once
// AlertStore: the alerts and bans tables (0003) on the store thread's write connection:
// one upsert per alert lifecycle change (the episode keeps its id), acknowledgements, bans
// and their revocation, retention. The read_* functions serve start-up (the next alert id,
// the open alerts) and the API's read-only connection.
#include <optional>
#include <string>
#include <vector>

#include "store/entity_rows.hpp"
#include "store/sqlite.hpp"

namespace nms::store {

class AlertStore {
 public:
    explicit AlertStore(Database& db);
    // Inside a transaction; false on a failing statement.
    bool upsert(const detect::Alert& a, int64_t now_s);
    bool acknowledge(uint64_t id, const std::string& user, int64_t now_s);
    // The evidence PCAP of an alert, written after the alert opened.
    bool set_evidence(uint64_t id, const std::string& file, int64_t now_s);
    bool upsert_ban(const BanRecord& b);
    bool revoke_ban(const std::string& ip, int64_t now_s);
    // Ended alerts last written before `cutoff_s`, and finished bans created before it.
    int64_t delete_expired(int64_t cutoff_s, uint32_t batch);

 private:
    Database& db_;
    Statement upsert_, ack_, evidence_, ban_, revoke_, delete_alerts_, delete_bans_;
};

// Highest alert id stored (0 when none): the AlertManager continues after it.
uint64_t read_max_alert_id(Database& db);
// Alerts that have not ended, newest first (at most `limit`).
std::vector<StoredAlert> read_open_alerts(Database& db, uint32_t limit = 10000);
AlertPage read_alerts(Database& db, const AlertFilter& f);
std::optional<StoredAlert> read_alert(Database& db, uint64_t id);
// Alerts seen in [since_ns, until_ns) counted by kind and severity (the report).
std::vector<AlertCount> count_alerts(Database& db, int64_t since_ns, int64_t until_ns);
// Bans newest first; `active_only` keeps those neither revoked nor expired at `now_s`.
std::vector<BanRecord> read_bans(Database& db, bool active_only, int64_t now_s, uint32_t limit = 1000);

}  // namespace nms::store
