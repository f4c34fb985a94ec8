#include "pipeline/capture_thread.hpp"

#include <algorithm>
#include <chrono>

#include "common/cpu.hpp"
#include "common/log.hpp"
#include "common/time.hpp"

namespace nms::pipeline {

CaptureThread::CaptureThread(std::unique_ptr<capture::CaptureSource> source, std::vector<PacketChannel*> channels,
                             uint32_t max_frame, int cpu, bool offline)
    : source_(std::move(source)),
      name_(source_->name()),
      cpu_(cpu),
      offline_(offline),
      dispatcher_(std::move(channels), source_->link_type(), max_frame, offline, &stop_) {}

CaptureThread::~CaptureThread() {
    request_stop();
    join();
}

void CaptureThread::start() {
    thread_ = std::thread([this] { run(); });
}

void CaptureThread::request_stop() noexcept {
    {
        std::lock_guard lock(pause_mutex_);  // a paused thread re-checks stop_ under it
        stop_.store(true, std::memory_order_relaxed);
    }
    pause_cv_.notify_all();
    source_->interrupt();
}

bool CaptureThread::set_pause_request(bool pause) noexcept {
    if (finished()) return false;
    {
        std::lock_guard lock(pause_mutex_);
        if (pause_requested_.load(std::memory_order_relaxed) == pause) return false;
        pause_requested_.store(pause, std::memory_order_relaxed);
    }
    pause_cv_.notify_all();
    if (pause) source_->interrupt();  // a blocking poll returns now, not at its timeout
    return true;
}

bool CaptureThread::pause() noexcept { return set_pause_request(true); }
bool CaptureThread::resume() noexcept { return set_pause_request(false); }

void CaptureThread::wait_while_paused() noexcept {
    publish_source_stats();
    const uint64_t since = monotonic_ns();
    uint64_t drops_before = stats_.kernel_drops.get();
    paused_.store(true, std::memory_order_release);
    log::info("capture %s: paused", name_.c_str());
    std::unique_lock lock(pause_mutex_);
    for (;;) {
        // Wake twice a second to attribute the kernel's drops to the pause as they happen.
        const bool done = pause_cv_.wait_for(lock, std::chrono::milliseconds(500), [this] {
            return stop_.load(std::memory_order_relaxed) || !pause_requested_.load(std::memory_order_relaxed);
        });
        lock.unlock();
        publish_source_stats();
        const uint64_t drops = stats_.kernel_drops.get();
        stats_.paused_drops.add(drops - std::min(drops, drops_before));
        drops_before = drops;
        lock.lock();
        if (done) break;
    }
    lock.unlock();
    source_->resumed_after(monotonic_ns() - since);
    paused_.store(false, std::memory_order_release);
    log::info("capture %s: resumed after %.1f s", name_.c_str(), static_cast<double>(monotonic_ns() - since) / 1e9);
}

void CaptureThread::join() {
    if (thread_.joinable()) thread_.join();
}

void CaptureThread::publish_source_stats() noexcept {
    source_->refresh_stats();
    const auto& c = source_->counters();
    stats_.kernel_packets.set(c.kernel_packets);
    stats_.kernel_drops.set(c.kernel_drops);
    stats_.kernel_freezes.set(c.kernel_freezes);
    stats_.truncated.set(c.truncated);
    stats_.bad_records.set(c.bad_records);
    stats_.discarded_sync.set(c.discarded_sync);
}

void CaptureThread::drain_after_stop() noexcept {
    // Frames the kernel already accepted are part of what we saw: hand them over before
    // exiting. A partly filled block is retired by the kernel after its timeout, so wait
    // for two idle polls (the first may only consume the stop wake-up).
    int idle = 0;
    const uint64_t deadline = monotonic_ns() + kNsPerSec / 2;  // traffic may never pause
    while (idle < 2 && monotonic_ns() < deadline) {
        const auto r = source_->poll(dispatcher_, 50);
        idle = r == capture::PollResult::kFrames ? 0 : idle + 1;
        if (r == capture::PollResult::kError || r == capture::PollResult::kEof) break;
    }
}

void CaptureThread::run() noexcept {
    if (cpu_ >= 0 && !pin_current_thread(cpu_)) log::warn("capture %s: could not pin to CPU %d", name_.c_str(), cpu_);
    name_current_thread("nms-cap-" + name_);
    uint64_t next_stats = 0;
    while (!stop_.load(std::memory_order_relaxed)) {
        if (pause_requested_.load(std::memory_order_relaxed)) {
            wait_while_paused();
            continue;
        }
        const uint64_t t0 = monotonic_ns();
        const auto r = source_->poll(dispatcher_, 100);
        const uint64_t t1 = monotonic_ns();
        if (r == capture::PollResult::kFrames) stats_.busy_ns.add(t1 - t0);
        if (t1 >= next_stats) {  // kernel counters cost a syscall: once every 500 ms
            publish_source_stats();
            next_stats = t1 + kNsPerSec / 2;
        }
        if (r == capture::PollResult::kEof) break;
        if (r == capture::PollResult::kError) {
            error_ = source_->error();
            failed_.store(true, std::memory_order_release);
            log::error("capture %s: %s", name_.c_str(), error_.c_str());
            break;
        }
    }
    if (!offline_ && !failed()) drain_after_stop();
    dispatcher_.end_batch();
    publish_source_stats();
    if (!failed() && !source_->error().empty()) error_ = source_->error();
    finished_.store(true, std::memory_order_release);
}

}  // namespace nms::pipeline
