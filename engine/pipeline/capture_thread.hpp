#pragma once
// CaptureThread: one capture source (a NIC fanout member, or a file) on its own pinned
// thread, feeding every worker through its Dispatcher.
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "capture/capture_source.hpp"
#include "common/counter.hpp"
#include "pipeline/dispatcher.hpp"

namespace nms::pipeline {

// Source counters republished for the stats thread (the source's own are not atomic).
struct alignas(kCacheLine) CaptureThreadStats {
    RelaxedCounter kernel_packets;
    RelaxedCounter kernel_drops;      // the kernel's own counter (includes paused_drops)
    RelaxedCounter paused_drops;      // of kernel_drops: while capture was paused
    RelaxedCounter kernel_freezes;
    RelaxedCounter truncated;
    RelaxedCounter bad_records;
    RelaxedCounter discarded_sync;
    RelaxedCounter busy_ns;
};

class CaptureThread {
 public:
    // max_frame: bytes kept per frame (snap length + a restored VLAN tag).
    CaptureThread(std::unique_ptr<capture::CaptureSource> source, std::vector<PacketChannel*> channels,
                  uint32_t max_frame, int cpu, bool offline);
    ~CaptureThread();
    CaptureThread(const CaptureThread&) = delete;
    CaptureThread& operator=(const CaptureThread&) = delete;

    void start();
    void request_stop() noexcept;
    void join();
    // capture/stop and capture/start (any thread). Paused, the thread stops reading: a live
    // socket stays open and its ring fills, so the kernel drops (and counts) what arrives;
    // a file replay simply waits. False when the request changes nothing (already in that
    // state, or the capture has ended).
    bool pause() noexcept;
    bool resume() noexcept;
    // The state the capture thread is in (not merely asked for).
    [[nodiscard]] bool paused() const noexcept { return paused_.load(std::memory_order_acquire); }

    [[nodiscard]] bool finished() const noexcept { return finished_.load(std::memory_order_acquire); }
    [[nodiscard]] bool failed() const noexcept { return failed_.load(std::memory_order_acquire); }
    [[nodiscard]] const std::string& error() const noexcept { return error_; }  // valid once finished
    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    [[nodiscard]] const DispatcherCounters& dispatch_counters() const noexcept { return dispatcher_.counters(); }
    [[nodiscard]] size_t dispatch_counters_workers() const noexcept { return dispatcher_.workers(); }
    [[nodiscard]] const CaptureThreadStats& stats() const noexcept { return stats_; }

    // Runs the capture loop on the calling thread.
    void run() noexcept;

 private:
    void publish_source_stats() noexcept;
    void drain_after_stop() noexcept;
    // Capture thread: blocks while pause is requested, keeping the kernel counters fresh.
    void wait_while_paused() noexcept;
    bool set_pause_request(bool pause) noexcept;

    std::unique_ptr<capture::CaptureSource> source_;
    std::string name_;
    int cpu_;
    bool offline_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> pause_requested_{false};  // read once per poll, not per packet
    std::atomic<bool> paused_{false};
    std::mutex pause_mutex_;                    // only for the paused thread's wait
    std::condition_variable pause_cv_;
    Dispatcher dispatcher_;
    CaptureThreadStats stats_;
    std::atomic<bool> finished_{false};
    std::atomic<bool> failed_{false};
    std::string error_;
    std::thread thread_;
};

}  // namespace nms::pipeline
