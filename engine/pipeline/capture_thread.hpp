#pragma once
// CaptureThread: one capture source (a NIC fanout member, or a file) on its own pinned
// thread, feeding every worker through its Dispatcher.
#include <atomic>
#include <memory>
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
    RelaxedCounter kernel_drops;
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

    std::unique_ptr<capture::CaptureSource> source_;
    std::string name_;
    int cpu_;
    bool offline_;
    std::atomic<bool> stop_{false};
    Dispatcher dispatcher_;
    CaptureThreadStats stats_;
    std::atomic<bool> finished_{false};
    std::atomic<bool> failed_{false};
    std::string error_;
    std::thread thread_;
};

}  // namespace nms::pipeline
