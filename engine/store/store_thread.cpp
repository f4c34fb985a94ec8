#include "store/store_thread.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <sched.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/cpu.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "store/entity_json.hpp"

namespace nms::store {

namespace fs = std::filesystem;

StoreOptions store_options(const config::StorageConfig& c, const dpi::Registry* registry, uint32_t max_devices) {
    StoreOptions o;
    o.data_dir = c.data_dir;
    o.flush_interval_ms = c.flush_interval_ms;
    o.batch_rows = c.batch_rows;
    o.queue_records = c.queue_records;
    constexpr int64_t kDay = 86400;
    o.retention.flows_s = int64_t{c.flows_retention_days} * kDay;
    o.retention.dns_s = int64_t{c.dns_retention_days} * kDay;
    o.retention.stats_1s_s = c.stats_1s_retention_s;
    o.retention.stats_1m_s = int64_t{c.stats_1m_retention_days} * kDay;
    o.retention.stats_1h_s = int64_t{c.stats_1h_retention_days} * kDay;
    o.retention.max_db_bytes = uint64_t{c.max_db_mib} << 20;
    o.retention.alerts_s = int64_t{c.alerts_retention_days} * kDay;
    o.retention.max_devices = max_devices;
    o.queue_devices = std::max<uint32_t>(1024, max_devices * 2);
    o.logs = c.logs;
    o.logs_options.dir = c.data_dir;
    o.logs_options.gzip = c.logs_gzip;
    o.logs_options.max_total_bytes = uint64_t{c.logs_max_mib} << 20;
    o.influx_udp = c.influx_udp;
    o.registry = registry;
    o.dns_app = registry ? registry->id_of("dns") : dpi::kAppUnknown;
    return o;
}

std::string prepare_data_dir(const std::string& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return "cannot create data directory " + dir + ": " + ec.message();
    if (!fs::is_directory(dir, ec)) return "data directory " + dir + " is not a directory";
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
        return "data directory " + dir + " is not writable: " + std::strerror(errno);
    return {};
}

StoreThread::StoreThread(StoreOptions opts)
    : opts_(std::move(opts)),
      flow_q_(opts_.queue_records),
      dns_q_(opts_.queue_dns),
      stats_q_(opts_.queue_stats),
      device_q_(opts_.queue_devices),
      alert_q_(opts_.queue_alerts) {
    writer_ = std::make_unique<StoreWriter>(database_path(), opts_.registry);
    pacer_ = std::make_unique<RetentionPacer>(opts_.retention);
    if (opts_.logs) {
        opts_.logs_options.dir = opts_.data_dir;
        logs_ = std::make_unique<DailyLogs>(opts_.logs_options, opts_.registry, counters_);
    }
    if (!opts_.influx_udp.empty()) influx_ = std::make_unique<InfluxExporter>(opts_.influx_udp, counters_);
    flows_.reserve(opts_.batch_rows);
}

StoreThread::~StoreThread() { stop(); }

void StoreThread::on_flow(const pipeline::FlowRecord& rec) noexcept {
    while (!flow_q_.push(rec)) {
        // A replay's end burst outruns one batch: wait for the store like the workers wait
        // for the output thread. Live traffic never waits on the disk.
        if (opts_.offline && running_.load(std::memory_order_acquire)) {
            sched_yield();
            continue;
        }
        counters_.flows_queue_drops.add();
        counters_.problem();
        return;
    }
}

void StoreThread::on_app_event(const dpi::AppEvent& ev) noexcept {
    if (opts_.dns_app == dpi::kAppUnknown || ev.app != opts_.dns_app) return;
    DnsObservation obs;
    if (!extract_dns_observation(ev, obs)) return;
    if (!dns_q_.push(obs)) {
        counters_.dns_queue_drops.add();
        counters_.problem();
    }
}

void StoreThread::on_stats(const stats::SnapshotPtr& snap) noexcept {
    if (!snap) return;
    if (!stats_q_.push(make_stats_sample(*snap, prev_snapshot_.get()))) {
        counters_.stats_queue_drops.add();
        counters_.problem();
    }
    prev_snapshot_ = snap;
}

void StoreThread::on_devices(const std::vector<devices::Device>& devs) noexcept {
    for (const auto& d : devs) {
        bool ok = false;
        try {
            ok = device_q_.push(d);
        } catch (const std::bad_alloc&) {
        }
        if (!ok) {
            counters_.device_queue_drops.add();
            counters_.problem();
        }
    }
}

void StoreThread::on_alert(const detect::Alert& alert, detect::AlertPhase phase) noexcept {
    bool ok = false;
    try {
        ok = alert_q_.push(AlertChange{alert, phase});
    } catch (const std::bad_alloc&) {
    }
    if (!ok) {
        counters_.alert_queue_drops.add();
        counters_.problem();
    }
}

bool StoreThread::push_command(StoreCommand c) noexcept {
    c.now_s = static_cast<int64_t>(wall_ns() / kNsPerSec);
    try {
        std::lock_guard lock(command_mutex_);
        if (commands_in_.size() < opts_.queue_commands) {
            commands_in_.push_back(std::move(c));
            return true;
        }
    } catch (const std::exception&) {
    }
    counters_.alert_queue_drops.add();
    counters_.problem();
    return false;
}

bool StoreThread::acknowledge(uint64_t alert_id, const std::string& user) noexcept {
    StoreCommand c;
    c.kind = StoreCommand::Kind::kAcknowledge;
    c.alert_id = alert_id;
    try {
        c.user = user;
    } catch (const std::bad_alloc&) {
        return false;
    }
    return push_command(std::move(c));
}

bool StoreThread::on_ban(const BanRecord& ban) noexcept {
    StoreCommand c;
    c.kind = StoreCommand::Kind::kBan;
    try {
        c.ban = ban;
    } catch (const std::bad_alloc&) {
        return false;
    }
    return push_command(std::move(c));
}

bool StoreThread::revoke_ban(const std::string& ip) noexcept {
    StoreCommand c;
    c.kind = StoreCommand::Kind::kRevokeBan;
    try {
        c.ban.ip = ip;
    } catch (const std::bad_alloc&) {
        return false;
    }
    return push_command(std::move(c));
}

bool StoreThread::set_alert_evidence(uint64_t alert_id, const std::string& file) noexcept {
    StoreCommand c;
    c.kind = StoreCommand::Kind::kEvidence;
    c.alert_id = alert_id;
    try {
        c.file = file;
    } catch (const std::bad_alloc&) {
        return false;
    }
    return push_command(std::move(c));
}

bool StoreThread::save_detector_state(const char* kind, std::string state) noexcept {
    StoreCommand c;
    c.kind = StoreCommand::Kind::kDetectorState;
    c.state = std::move(state);  // moved: a baseline table can be large, never copied twice
    try {
        c.detector = kind;
    } catch (const std::bad_alloc&) {
        return false;
    }
    return push_command(std::move(c));
}

stats::StoreHealth StoreThread::health() const {
    const auto& c = counters_;
    stats::StoreHealth h;
    h.enabled = true;
    h.healthy = c.healthy();
    h.disk_full = c.disk_full.load(std::memory_order_relaxed);
    h.backlog = c.backlog.get();
    h.rows_written = c.rows_written();
    h.batches = c.batches.get();
    h.write_errors = c.write_errors.get();
    h.max_step_us = c.max_step_us.get();
    h.dropped = {c.flows_queue_drops.get(), c.dns_queue_drops.get(),  c.stats_queue_drops.get(),
                 c.device_queue_drops.get(), c.alert_queue_drops.get(), c.rows_dropped.get(),
                 c.log_write_errors.get()};
    h.last_error = c.last_error();
    return h;
}

std::vector<stats::RatePoint> StoreThread::recent_history(int64_t seconds) {
    return writer_->recent_history(static_cast<int64_t>(wall_ns() / kNsPerSec), seconds);
}

void StoreThread::start() {
    last_flush_mono_ = monotonic_ns();
    running_.store(true, std::memory_order_release);
    thread_ = std::thread([this] { run(); });
}

void StoreThread::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

size_t StoreThread::drain() {
    const auto pending = [&] {
        return flows_.size() + dns_.size() + stats_.size() + devices_.size() + alerts_.size() + commands_.size();
    };
    const size_t before = pending();
    // Batches stay bounded: a full batch is flushed before more is taken.
    while (flows_.size() < opts_.batch_rows && flow_q_.consume_one([&](const pipeline::FlowRecord& r) {
        flows_.push_back(r);
    })) {}
    while (dns_.size() < opts_.batch_rows && dns_q_.consume_one([&](const DnsObservation& d) { dns_.push_back(d); })) {}
    stats_q_.consume_all([&](const StatsSample& s) { stats_.push_back(s); });
    while (devices_.size() < opts_.batch_rows &&
           device_q_.consume_one([&](devices::Device& d) { devices_.push_back(std::move(d)); })) {}
    while (alerts_.size() < opts_.batch_rows &&
           alert_q_.consume_one([&](AlertChange& a) { alerts_.push_back(std::move(a)); })) {}
    {
        std::lock_guard lock(command_mutex_);
        for (auto& c : commands_in_) commands_.push_back(std::move(c));
        commands_in_.clear();
    }
    counters_.backlog.set(pending() + flow_q_.read_available() + dns_q_.read_available() +
                          device_q_.read_available() + alert_q_.read_available());
    return pending() - before;
}

void StoreThread::note_step(uint64_t start_mono) {
    const uint64_t us = (monotonic_ns() - start_mono) / kNsPerUs;
    if (us > counters_.max_step_us.get()) counters_.max_step_us.set(us);
}

void StoreThread::write_failed(Rc rc, const std::string& error, uint64_t lost) {
    if (counters_.write_errors.get() == 0 || counters_.healthy())
        log::warn("store: batch of %llu rows dropped: %s", static_cast<unsigned long long>(lost), error.c_str());
    counters_.write_errors.add();
    counters_.rows_dropped.add(lost);
    counters_.disk_full.store(rc == Rc::kFull || error.find("full") != std::string::npos, std::memory_order_relaxed);
    counters_.set_error(error);
    counters_.problem();
}

void StoreThread::flush() {
    last_flush_mono_ = monotonic_ns();
    if (!devices_.empty() || !alerts_.empty() || !commands_.empty()) {
        const int64_t now_s = static_cast<int64_t>(wall_ns() / kNsPerSec);
        std::string error;
        const Rc rc = writer_->write_entities(devices_, alerts_, commands_, now_s, error);
        if (rc == Rc::kOk) {
            counters_.devices_written.add(devices_.size());
            counters_.alerts_written.add(alerts_.size() + commands_.size());
            counters_.disk_full.store(false, std::memory_order_relaxed);
        } else {
            write_failed(rc, error, devices_.size() + alerts_.size() + commands_.size());
        }
        if (logs_ && !alerts_.empty()) {
            std::string lines;
            for (const auto& a : alerts_) lines += alert_log_line(a.alert, a.phase);
            logs_->write_alerts(lines, alerts_.size(), now_s);
        }
        devices_.clear();
        alerts_.clear();
        commands_.clear();
    }
    if (flows_.empty() && dns_.empty() && stats_.empty()) return;
    const uint64_t t0 = monotonic_ns();
    const int64_t now_s = static_cast<int64_t>(wall_ns() / kNsPerSec);
    std::string error;
    const Rc rc = writer_->write_batch(flows_, dns_, stats_, now_s, error);
    if (rc == Rc::kOk) {
        counters_.flows_written.add(flows_.size());
        counters_.dns_written.add(dns_.size());
        counters_.stats_written.add(stats_.size());
        counters_.batches.add();
        counters_.disk_full.store(false, std::memory_order_relaxed);
    } else {
        write_failed(rc, error, flows_.size() + dns_.size() + stats_.size());
    }
    note_step(t0);
    if (logs_) logs_->write(flows_, now_s);
    if (influx_ && !stats_.empty()) {
        std::vector<StatsRow> rows;
        for (const auto& s : stats_) {
            StatsRow r;
            r.ts = s.ts;
            r.packets = s.packets;
            r.bytes = s.bytes;
            r.pps_avg = r.pps_max = s.pps;
            r.bps_avg = r.bps_max = s.bps;
            r.active_flows = s.active_flows;
            r.drops = s.drops;
            r.tcp_bytes = s.tcp_bytes;
            r.udp_bytes = s.udp_bytes;
            r.icmp_bytes = s.icmp_bytes;
            r.other_bytes = s.other_bytes;
            rows.push_back(r);
        }
        influx_->send(rows, StatsTier::k1s);
    }
    flows_.clear();
    dns_.clear();
    stats_.clear();
}

void StoreThread::housekeeping(int64_t now_s) {
    uint64_t t0 = monotonic_ns();
    std::vector<StatsRow> minutes;
    if (writer_->rollup(now_s, influx_ ? &minutes : nullptr) != Rc::kOk) counters_.problem();
    if (influx_ && !minutes.empty()) influx_->send(minutes, StatsTier::k1m);
    note_step(t0);
    t0 = monotonic_ns();
    uint64_t pages = 0;
    counters_.retention_deleted.add(static_cast<uint64_t>(writer_->retention_step(now_s, pacer_->next(), &pages)));
    counters_.vacuumed_pages.add(pages);
    pacer_->took(static_cast<double>(monotonic_ns() - t0) / 1e6);
    note_step(t0);
    if (logs_) {
        t0 = monotonic_ns();
        logs_->tick(now_s);
        note_step(t0);
    }
}

void StoreThread::run() {
    name_current_thread("nms-store");
    // The store only needs to keep up on average (bounded queues absorb bursts): it runs
    // behind capture and workers so on a small box it never takes their CPU.
    if (!lower_current_thread_priority(kStoreNice)) log::debug("store: cannot lower the store thread's priority");
    const uint64_t flush_ns = uint64_t{opts_.flush_interval_ms} * kNsPerMs;
    for (;;) {
        bool stopping;
        {
            std::lock_guard lock(mutex_);
            stopping = stopping_;
        }
        const size_t got = drain();
        const size_t pending =
            flows_.size() + dns_.size() + stats_.size() + devices_.size() + alerts_.size() + commands_.size();
        const uint64_t now = monotonic_ns();
        const bool full = flows_.size() >= opts_.batch_rows || dns_.size() >= opts_.batch_rows ||
                          devices_.size() >= opts_.batch_rows || alerts_.size() >= opts_.batch_rows;
        if (full || (pending && (now - last_flush_mono_ >= flush_ns || stopping))) flush();
        const int64_t now_s = static_cast<int64_t>(wall_ns() / kNsPerSec);
        if (now_s != last_housekeeping_s_) {
            last_housekeeping_s_ = now_s;
            housekeeping(now_s);
        }
        // The producers stopped before stop() was called: an empty pass means all is written.
        if (stopping && got == 0 && pending == 0) break;
        if (got == 0 && !full) {
            std::unique_lock lock(mutex_);
            cv_.wait_for(lock, std::chrono::milliseconds(20), [this] { return stopping_; });
        }
    }
    running_.store(false, std::memory_order_release);
    writer_->rollup(static_cast<int64_t>(wall_ns() / kNsPerSec));
    logs_.reset();  // closes today's files
    const auto u = [](const RelaxedCounter& c) { return static_cast<unsigned long long>(c.get()); };
    const bool lost = counters_.dropped_total() + counters_.log_write_errors.get() > 0;
    (lost ? log::warn : log::info)(
        "store: %llu flows, %llu dns, %llu stats, %llu device, %llu alert rows written; %llu rows dropped (queue %llu, "
        "failed batches %llu), %llu log lines lost; longest step %llu us",
        u(counters_.flows_written), u(counters_.dns_written), u(counters_.stats_written), u(counters_.devices_written),
        u(counters_.alerts_written),
        static_cast<unsigned long long>(counters_.dropped_total()),
        u(counters_.flows_queue_drops) + u(counters_.dns_queue_drops) + u(counters_.stats_queue_drops) +
            u(counters_.device_queue_drops) + u(counters_.alert_queue_drops),
        u(counters_.write_errors), u(counters_.log_write_errors), u(counters_.max_step_us));
}

}  // namespace nms::store
