#include "stats/stats_thread.hpp"

#include <algorithm>

#include "common/cpu.hpp"
#include "common/time.hpp"

namespace nms::stats {

StatsThread::StatsThread(uint32_t interval_ms, uint32_t history_points,
                         std::vector<pipeline::Worker*> workers, std::vector<pipeline::CaptureThread*> captures,
                         pipeline::WorkerControl& control)
    : interval_ms_(interval_ms),
      workers_(std::move(workers)),
      captures_(std::move(captures)),
      control_(control),
      merger_(history_points),
      last_(workers_.size()),
      stale_(workers_.size(), true) {}

StatsThread::~StatsThread() { stop(); }

void StatsThread::collect(uint64_t epoch, bool final) {
    // Answers arrive within microseconds unless a worker is deep in a batch; bound the wait
    // to a fifth of the interval so one slow shard cannot delay the whole tick.
    const uint64_t deadline = monotonic_ns() + (final ? 0 : uint64_t{interval_ms_} * kNsPerMs / 5);
    std::vector<bool> got(workers_.size(), false);
    for (;;) {
        size_t answered = 0;
        for (size_t i = 0; i < workers_.size(); ++i) {
            pipeline::ShardSnapshot* s = nullptr;
            while (workers_[i]->snapshots().pop(s)) {  // keep only the newest
                // Device parts are deltas of "changed since": fold in every snapshot, not just the newest.
                if (devices_) devices_->absorb(static_cast<uint32_t>(i), s->devices, s->device_counters, device_events_);
                // Detector deltas too: every snapshot carries only the seconds since the previous one.
                if (detection_) detection_->absorb(std::move(s->detect));
                last_[i].reset(s);
                if (s->epoch >= epoch) got[i] = true;
            }
            answered += got[i];
        }
        if (final || answered == workers_.size() || monotonic_ns() >= deadline) break;
        std::unique_lock lock(mutex_);
        if (cv_.wait_for(lock, std::chrono::milliseconds(2), [this] { return stopping_; })) break;
    }
    for (size_t i = 0; i < workers_.size(); ++i) stale_[i] = !got[i] && !final;
}

SnapshotPtr StatsThread::tick(bool final) {
    uint64_t epoch = control_.epoch.load(std::memory_order_relaxed);
    if (!final) {
        ++epoch;
        control_.epoch.store(epoch, std::memory_order_release);
        for (auto* w : workers_) w->wake();  // an idle worker may be asleep
    }
    collect(epoch, final);
    std::vector<const pipeline::ShardSnapshot*> shards;
    shards.reserve(last_.size());
    TimestampNs packet_time = 0;
    for (const auto& s : last_) {
        shards.push_back(s.get());
        if (s) packet_time = std::max(packet_time, s->packet_time);
    }
    if (detection_) {
        for (const auto& ev : device_events_) detection_->on_device_event(ev);
        detection_->tick(packet_time, monotonic_ns(), final);
    }
    auto snap = merger_.merge(shards, stale_, captures_, workers_, control_.top_n.load(std::memory_order_relaxed), wall_ns(),
                              monotonic_ns());
    snap->device_events = std::move(device_events_);  // the WebSocket "devices" topic renders them
    device_events_.clear();
    for (const auto& d : decorators_) d(*snap);
    latest_.store(snap, std::memory_order_release);
    for (const auto& l : listeners_) l(snap);
    if (device_listener_)
        for (const auto& ev : snap->device_events) device_listener_(ev);
    return snap;
}

void StatsThread::start() {
    thread_ = std::thread([this] {
        name_current_thread("nms-stats");
        auto next = std::chrono::steady_clock::now();
        for (;;) {
            next += std::chrono::milliseconds(interval_ms_);
            {
                std::unique_lock lock(mutex_);
                if (cv_.wait_until(lock, next, [this] { return stopping_; })) return;
            }
            tick(false);
        }
    });
}

void StatsThread::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

}  // namespace nms::stats
