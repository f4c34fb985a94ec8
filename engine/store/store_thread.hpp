#pragma once
// StoreThread: the one thread that writes the data directory. It owns the SQLite write
// connection (StoreWriter), the daily logs and the InfluxDB exporter, and drains bounded queues:
//   ended flows and DNS app events  <- output thread (RecordSink; full queue = drop + count,
//                                      or wait in an offline replay, like the workers)
//   stats samples, changed devices,
//   alert lifecycle changes          <- stats thread (on_stats, on_devices, on_alert)
//   acknowledgements, bans           <- API / mitigation threads (small locked queue)
// Rows are committed in one transaction per batch (flush_interval_ms or batch_rows, whichever
// comes first). Once a second it rolls stats up, runs a retention slice, rotates/gzips logs.
// stop() drains every queue before closing, so a clean shutdown loses nothing queued.
#include <boost/lockfree/spsc_queue.hpp>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "detect/alert.hpp"
#include "output/record_sink.hpp"
#include "stats/snapshot.hpp"
#include "store/daily_logs.hpp"
#include "store/dns_observation.hpp"
#include "store/influx_exporter.hpp"
#include "store/stats_sample.hpp"
#include "store/store_counters.hpp"
#include "store/store_writer.hpp"

namespace nms::store {

struct StoreOptions {
    std::string data_dir;
    uint32_t flush_interval_ms = 1000;
    uint32_t batch_rows = 1000;
    uint32_t queue_records = 65536;
    uint32_t queue_dns = 8192;
    uint32_t queue_stats = 256;
    RetentionPolicy retention;
    bool logs = true;
    DailyLogsOptions logs_options;
    std::string influx_udp;            // "" = off
    const dpi::Registry* registry = nullptr;
    dpi::AppId dns_app = dpi::kAppUnknown;  // events of this app carry DNS names; 0 = none
    bool offline = false;              // replay: a full record queue waits instead of dropping
    uint32_t queue_devices = 8192;
    uint32_t queue_alerts = 4096;
    uint32_t queue_commands = 1024;
};

// The [storage] section as store options (data_dir, limits, retention, logs, exporter).
StoreOptions store_options(const config::StorageConfig& cfg, const dpi::Registry* registry, uint32_t max_devices = 4096);

// Creates `dir` (and parents) if missing and checks it is a writable directory; "" when
// fine, else a message naming the directory and the reason.
std::string prepare_data_dir(const std::string& dir);

class StoreThread final : public output::RecordSink, public detect::AlertListener {
 public:
    static constexpr const char* kDatabaseFile = "netmonsec.db";
    static constexpr int kStoreNice = 10;  // with SCHED_BATCH: ~1/10 of a nice-0 thread's share under contention

    // Opens (creates, migrates) DIR/netmonsec.db and the exporter; throws StoreError.
    explicit StoreThread(StoreOptions opts);
    ~StoreThread() override;
    StoreThread(const StoreThread&) = delete;
    StoreThread& operator=(const StoreThread&) = delete;

    // Output thread: copies into the bounded queues, never waits.
    void on_flow(const pipeline::FlowRecord& rec) noexcept override;
    void on_app_event(const dpi::AppEvent& ev) noexcept override;
    // Stats thread (a StatsThread listener): one sample per tick, never waits.
    void on_stats(const stats::SnapshotPtr& snap) noexcept;
    // Stats thread: devices that changed since the last call (copied; full queue = drop + count).
    void on_devices(const std::vector<devices::Device>& devs) noexcept;
    // Stats thread: one upsert per lifecycle change of an episode, plus a daily-log line.
    void on_alert(const detect::Alert& alert, detect::AlertPhase phase) noexcept override;
    // Any thread (API, ban manager): queued for the next batch; false when the queue is full.
    bool acknowledge(uint64_t alert_id, const std::string& user) noexcept;
    bool on_ban(const BanRecord& ban) noexcept;
    // Evidence writer thread: alert `alert_id` has its PCAP in <data_dir>/evidence/`file`.
    bool set_alert_evidence(uint64_t alert_id, const std::string& file) noexcept;
    bool revoke_ban(const std::string& ip) noexcept;
    // Stats thread (or after it stopped): a detector's learned state replaces the stored one.
    bool save_detector_state(const char* kind, std::string state) noexcept;

    // Start-up, before start(): what to load back.
    std::vector<devices::Device> load_devices(uint32_t max) { return writer_->load_devices(max); }
    uint64_t max_alert_id() { return writer_->max_alert_id(); }
    std::vector<StoredAlert> open_alerts() { return writer_->open_alerts(); }
    std::vector<std::pair<std::string, std::string>> detector_states() { return writer_->detector_states(); }

    // Any thread: backlog, rows written, drops by reason, last error, disk-full flag.
    [[nodiscard]] stats::StoreHealth health() const;

    // Stored 1 s history of the last `seconds` (call before start()).
    std::vector<stats::RatePoint> recent_history(int64_t seconds);

    void start();
    // Drains every queue, commits, closes. Call after the producers have stopped.
    void stop();

    [[nodiscard]] const StoreCounters& counters() const noexcept { return counters_; }
    [[nodiscard]] std::string database_path() const { return opts_.data_dir + "/" + kDatabaseFile; }

 private:
    void run();
    size_t drain();
    void flush();
    void housekeeping(int64_t now_s);
    void note_step(uint64_t start_mono);
    bool push_command(StoreCommand c) noexcept;
    void write_failed(Rc rc, const std::string& error, uint64_t lost);

    StoreOptions opts_;
    StoreCounters counters_;
    std::unique_ptr<StoreWriter> writer_;
    std::unique_ptr<RetentionPacer> pacer_;
    std::unique_ptr<DailyLogs> logs_;
    std::unique_ptr<InfluxExporter> influx_;

    boost::lockfree::spsc_queue<pipeline::FlowRecord> flow_q_;
    boost::lockfree::spsc_queue<DnsObservation> dns_q_;
    boost::lockfree::spsc_queue<StatsSample> stats_q_;
    boost::lockfree::spsc_queue<devices::Device> device_q_;
    boost::lockfree::spsc_queue<AlertChange> alert_q_;
    std::mutex command_mutex_;
    std::vector<StoreCommand> commands_in_;   // guarded by command_mutex_
    stats::SnapshotPtr prev_snapshot_;   // stats thread only

    // Store thread only: the batch being built.
    std::vector<pipeline::FlowRecord> flows_;
    std::vector<DnsObservation> dns_;
    std::vector<StatsSample> stats_;
    std::vector<devices::Device> devices_;
    std::vector<AlertChange> alerts_;
    std::vector<StoreCommand> commands_;
    uint64_t last_flush_mono_ = 0;
    int64_t last_housekeeping_s_ = 0;

    std::mutex mutex_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::atomic<bool> running_{false};     // the store thread drains (offline producers may wait)
    std::thread thread_;
};

}  // namespace nms::store
