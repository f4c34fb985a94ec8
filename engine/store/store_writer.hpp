#pragma once
// StoreWriter: the write connection and every statement that changes the database. Used by
// the store thread only (and directly by tests). Each call is one short transaction, so a
// crash loses at most the batch in flight and the file always passes integrity_check.
#include <algorithm>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dpi/registry.hpp"
#include "pipeline/flow_record.hpp"
#include "stats/snapshot.hpp"
#include "store/alert_store.hpp"
#include "store/detector_state_store.hpp"
#include "store/device_store.hpp"
#include "store/dns_observation.hpp"
#include "store/entity_rows.hpp"
#include "store/sqlite.hpp"
#include "store/stats_row.hpp"
#include "store/stats_sample.hpp"

namespace nms::store {

struct RetentionPolicy {
    int64_t flows_s = 30 * 86400;
    int64_t dns_s = 90 * 86400;
    int64_t stats_1s_s = 3600;
    int64_t stats_1m_s = 30 * 86400;
    int64_t stats_1h_s = 365 * 86400;
    int64_t alerts_s = 365 * 86400;  // ended alerts, finished bans
    uint32_t max_devices = 4096;     // stored devices beyond the most recent N are pruned
    uint64_t max_db_bytes = 0;      // 0 = no cap; else the oldest flows go first
    uint32_t delete_batch = 2000;   // rows per table per step: keeps each step short
    uint32_t vacuum_pages = 256;    // pages returned to the file system per step
};

// Sizes retention slices so one step stays near a time target whatever the disk and the
// machine's load: halves the slice after a slow step, doubles it (up to the policy's
// maximum) after a fast one.
class RetentionPacer {
 public:
    explicit RetentionPacer(const RetentionPolicy& max, double target_ms = 20.0)
        : max_(max),
          target_ms_(target_ms),  // start small: the first slices of a big backlog are the slowest
          batch_(std::max<uint32_t>(kMinBatch, max.delete_batch / 8)),
          pages_(std::max<uint32_t>(kMinPages, max.vacuum_pages / 8)) {}
    // The policy for the next step.
    [[nodiscard]] RetentionPolicy next() const noexcept {
        RetentionPolicy p = max_;
        p.delete_batch = batch_;
        p.vacuum_pages = pages_;
        return p;
    }
    void took(double ms) noexcept {
        if (ms > target_ms_) {
            batch_ = std::max<uint32_t>(kMinBatch, batch_ / 2);
            pages_ = std::max<uint32_t>(kMinPages, pages_ / 2);
        } else if (ms < target_ms_ / 4) {
            batch_ = std::min(max_.delete_batch, batch_ * 2);
            pages_ = std::min(max_.vacuum_pages, pages_ * 2);
        }
    }

 private:
    static constexpr uint32_t kMinBatch = 50, kMinPages = 8;
    RetentionPolicy max_;
    double target_ms_;
    uint32_t batch_, pages_;
};

class StoreWriter {
 public:
    // Opens (creates) the database, sets WAL/synchronous=NORMAL/busy_timeout and migrates.
    // `registry` names app_proto (may be null). Throws StoreError.
    StoreWriter(const std::string& path, const dpi::Registry* registry);

    // Writes everything in one transaction. On failure nothing is written, `error` says why
    // and the caller counts the rows as dropped.
    Rc write_batch(std::span<const pipeline::FlowRecord> flows, std::span<const DnsObservation> dns,
                   std::span<const StatsSample> stats, int64_t now_s, std::string& error);

    // Devices, alert changes and operator/mitigation commands in one transaction.
    Rc write_entities(std::span<const devices::Device> devs, std::span<const AlertChange> alerts,
                      std::span<const StoreCommand> commands, int64_t now_s, std::string& error);
    // Start-up: what to load back (call before the store thread runs).
    std::vector<devices::Device> load_devices(uint32_t max) { return read_devices(db_, max); }
    uint64_t max_alert_id() { return read_max_alert_id(db_); }
    std::vector<StoredAlert> open_alerts() { return read_open_alerts(db_); }
    std::vector<std::pair<std::string, std::string>> detector_states() { return read_detector_states(db_); }

    // Aggregates complete 1 s buckets into minutes and complete minutes into hours, up to
    // `now_s`. Rows rolled into stats_1m are appended to `new_minutes` (InfluxDB export).
    Rc rollup(int64_t now_s, std::vector<StatsRow>* new_minutes = nullptr);

    // One bounded slice of retention: expired rows of each table, the oldest flows while the
    // database is over its size cap, then an incremental vacuum slice. Returns rows deleted.
    int64_t retention_step(int64_t now_s, const RetentionPolicy& policy, uint64_t* vacuumed_pages = nullptr);

    // 1 s rows of the last `seconds` (seeding the live history after a restart).
    std::vector<stats::RatePoint> recent_history(int64_t now_s, int64_t seconds);

    // Live data bytes (pages in use, excluding the free list).
    uint64_t used_bytes() noexcept;
    Database& db() noexcept { return db_; }
    [[nodiscard]] const std::string& path() const noexcept { return path_; }

 private:
    Rc roll(StatsTier from, StatsTier to, int64_t& next, int64_t now_s, std::vector<StatsRow>* out);
    int64_t delete_expired(Statement& oldest, Statement& del, int64_t cutoff, uint32_t batch);

    std::string path_;
    const dpi::Registry* registry_;
    Database db_;
    static constexpr int kFlowsPerInsert = 32;
    void bind_flow(Statement& st, int base, const pipeline::FlowRecord& rec, int64_t now_s);

    Statement insert_flow_, insert_flows_, upsert_dns_query_, upsert_dns_answer_, upsert_stats_;
    Statement oldest_flow_, delete_flows_, delete_flows_any_, delete_dns_;
    Statement delete_stats_[3];
    std::unique_ptr<DeviceStore> devices_;
    std::unique_ptr<AlertStore> alerts_;
    std::unique_ptr<DetectorStateStore> detector_states_;
    int64_t next_minute_ = 0;   // first 1 s bucket not yet rolled into minutes
    int64_t next_hour_ = 0;
};

}  // namespace nms::store
