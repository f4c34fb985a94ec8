#include "store/store_thread.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/cpu.hpp"
#include "common/log.hpp"
#include "common/time.hpp"

namespace nms::store {

namespace fs = std::filesystem;

StoreOptions store_options(const config::StorageConfig& c, const dpi::Registry* registry) {
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
      stats_q_(opts_.queue_stats) {
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
    if (!flow_q_.push(rec)) {
        counters_.flows_queue_drops.add();
        counters_.problem();
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

std::vector<stats::RatePoint> StoreThread::recent_history(int64_t seconds) {
    return writer_->recent_history(static_cast<int64_t>(wall_ns() / kNsPerSec), seconds);
}

void StoreThread::start() {
    last_flush_mono_ = monotonic_ns();
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
    const size_t before = flows_.size() + dns_.size() + stats_.size();
    // Batches stay bounded: a full batch is flushed before more is taken.
    while (flows_.size() < opts_.batch_rows && flow_q_.consume_one([&](const pipeline::FlowRecord& r) {
        flows_.push_back(r);
    })) {}
    while (dns_.size() < opts_.batch_rows && dns_q_.consume_one([&](const DnsObservation& d) { dns_.push_back(d); })) {}
    stats_q_.consume_all([&](const StatsSample& s) { stats_.push_back(s); });
    return flows_.size() + dns_.size() + stats_.size() - before;
}

void StoreThread::note_step(uint64_t start_mono) {
    const uint64_t us = (monotonic_ns() - start_mono) / kNsPerUs;
    if (us > counters_.max_step_us.get()) counters_.max_step_us.set(us);
}

void StoreThread::flush() {
    last_flush_mono_ = monotonic_ns();
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
    } else {
        const uint64_t lost = flows_.size() + dns_.size() + stats_.size();
        if (counters_.write_errors.get() == 0 || counters_.healthy())
            log::warn("store: batch of %llu rows dropped: %s", static_cast<unsigned long long>(lost), error.c_str());
        counters_.write_errors.add();
        counters_.rows_dropped.add(lost);
        counters_.problem();
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
    const uint64_t flush_ns = uint64_t{opts_.flush_interval_ms} * kNsPerMs;
    for (;;) {
        bool stopping;
        {
            std::lock_guard lock(mutex_);
            stopping = stopping_;
        }
        const size_t got = drain();
        const size_t pending = flows_.size() + dns_.size() + stats_.size();
        const uint64_t now = monotonic_ns();
        const bool full = flows_.size() >= opts_.batch_rows || dns_.size() >= opts_.batch_rows;
        if (full || (pending && (now - last_flush_mono_ >= flush_ns || stopping))) flush();
        const int64_t now_s = static_cast<int64_t>(wall_ns() / kNsPerSec);
        if (now_s != last_housekeeping_s_) {
            last_housekeeping_s_ = now_s;
            housekeeping(now_s);
        }
        // The producers stopped before stop() was called: an empty pass means all is written.
        if (stopping && got == 0 && flows_.empty() && dns_.empty() && stats_.empty()) break;
        if (got == 0 && !full) {
            std::unique_lock lock(mutex_);
            cv_.wait_for(lock, std::chrono::milliseconds(20), [this] { return stopping_; });
        }
    }
    writer_->rollup(static_cast<int64_t>(wall_ns() / kNsPerSec));
    logs_.reset();  // closes today's files
    const auto u = [](const RelaxedCounter& c) { return static_cast<unsigned long long>(c.get()); };
    const bool lost = counters_.dropped_total() + counters_.log_write_errors.get() > 0;
    (lost ? log::warn : log::info)(
        "store: %llu flows, %llu dns, %llu stats rows written; %llu rows dropped (queue %llu, failed batches %llu), "
        "%llu log lines lost; longest step %llu us",
        u(counters_.flows_written), u(counters_.dns_written), u(counters_.stats_written),
        static_cast<unsigned long long>(counters_.dropped_total()),
        u(counters_.flows_queue_drops) + u(counters_.dns_queue_drops) + u(counters_.stats_queue_drops),
        u(counters_.write_errors), u(counters_.log_write_errors), u(counters_.max_step_us));
}

}  // namespace nms::store
