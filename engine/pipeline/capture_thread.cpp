#include "pipeline/capture_thread.hpp"

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
    stop_.store(true, std::memory_order_relaxed);
    source_->interrupt();
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
