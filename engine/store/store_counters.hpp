#pragma once
// StoreCounters: what the store did and lost. Each counter has one writing thread (the
// output thread for queue drops, the store thread for the rest); anyone may read them.
#include <atomic>
#include <mutex>
#include <string>

#include "common/counter.hpp"
#include "common/time.hpp"

namespace nms::store {

struct StoreCounters {
    // Queue drops (producer side: output thread / stats thread): the store was behind.
    RelaxedCounter flows_queue_drops;
    RelaxedCounter dns_queue_drops;
    RelaxedCounter stats_queue_drops;
    RelaxedCounter device_queue_drops;   // stats thread
    RelaxedCounter alert_queue_drops;    // stats thread (alerts), API/mitigation (acks, bans)
    // Written (store thread).
    RelaxedCounter flows_written;
    RelaxedCounter dns_written;
    RelaxedCounter stats_written;
    RelaxedCounter devices_written;
    RelaxedCounter alerts_written;       // alert upserts, acknowledgements, bans
    RelaxedCounter batches;
    // Lost after dequeue: a transaction failed (disk full, I/O error) and its rows were dropped.
    RelaxedCounter write_errors;
    RelaxedCounter rows_dropped;
    // Daily logs.
    RelaxedCounter log_lines;
    RelaxedCounter log_write_errors;   // lines not written (ENOSPC, EIO, ...)
    RelaxedCounter logs_gzipped;
    RelaxedCounter logs_deleted;       // over the total size cap
    // Retention.
    RelaxedCounter retention_deleted;  // rows, all tables
    RelaxedCounter vacuumed_pages;
    // InfluxDB line protocol export.
    RelaxedCounter influx_lines;
    RelaxedCounter influx_errors;
    // Longest single step of the store thread (a batch commit, a retention slice, a vacuum
    // slice), in microseconds: the store never pauses the pipeline, but this bounds how long
    // its queues must absorb.
    RelaxedCounter max_step_us;
    // Records queued or in the batch being built, not yet committed (store thread, each pass).
    RelaxedCounter backlog;
    // The last failed transaction was SQLITE_FULL and none succeeded since (store thread).
    std::atomic<bool> disk_full{false};

    // Health: false while anything was lost in the last minute. Written by whoever lost it.
    std::atomic<uint64_t> last_problem_mono_ns{0};

    void problem() noexcept { last_problem_mono_ns.store(monotonic_ns(), std::memory_order_relaxed); }
    [[nodiscard]] bool healthy(uint64_t window_ns = 60 * kNsPerSec) const noexcept {
        const uint64_t t = last_problem_mono_ns.load(std::memory_order_relaxed);
        return t == 0 || monotonic_ns() - t > window_ns;
    }
    [[nodiscard]] uint64_t dropped_total() const noexcept {
        return flows_queue_drops.get() + dns_queue_drops.get() + stats_queue_drops.get() + device_queue_drops.get() +
               alert_queue_drops.get() + rows_dropped.get();
    }
    [[nodiscard]] uint64_t rows_written() const noexcept {
        return flows_written.get() + dns_written.get() + stats_written.get() + devices_written.get() +
               alerts_written.get();
    }

    // The newest error message (SQLite's or the log writer's), for the health view.
    void set_error(std::string e) {
        std::lock_guard lock(error_mutex_);
        last_error_ = std::move(e);
    }
    [[nodiscard]] std::string last_error() const {
        std::lock_guard lock(error_mutex_);
        return last_error_;
    }

 private:
    mutable std::mutex error_mutex_;
    std::string last_error_;
};

}  // namespace nms::store
