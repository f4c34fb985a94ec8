#pragma once
// GeneratorSource: the capture source of `netmonsec --demo`. Generated traffic paced in
// real time (timestamps = the wall clock), with an anomaly injected every so often, so
// the whole pipeline, API and dashboard run without a NIC or privileges.
#include <atomic>
#include <cstdint>
#include <string>

#include "capture/capture_source.hpp"
#include "gen/traffic_generator.hpp"

namespace nms::gen {

struct DemoOptions {
    double rate = 2000;                 // packets per second
    uint32_t flows = 200;               // concurrent sessions
    uint64_t seed = 1;
    uint32_t first_anomaly_s = 10;      // first anomaly after this many seconds
    uint32_t anomaly_interval_s = 30;   // then one every interval, cycling through the kinds
    uint32_t batch = 256;               // most frames per poll
};

class GeneratorSource final : public capture::CaptureSource {
 public:
    explicit GeneratorSource(const DemoOptions& options = {});

    capture::PollResult poll(capture::FrameSink& sink, int timeout_ms) noexcept override;
    [[nodiscard]] const capture::CaptureCounters& counters() const noexcept override { return counters_; }
    [[nodiscard]] decode::LinkType link_type() const noexcept override { return decode::LinkType::kEthernet; }
    [[nodiscard]] const std::string& name() const noexcept override { return name_; }
    [[nodiscard]] const std::string& error() const noexcept override { return error_; }
    void interrupt() noexcept override { interrupted_.store(true, std::memory_order_relaxed); }
    // Generated traffic resumes at its rate (no catch-up burst) and anomalies keep their spacing.
    void resumed_after(uint64_t paused_ns) noexcept override {
        if (base_mono_ns_ == 0) return;
        base_mono_ns_ += paused_ns;
        next_anomaly_ns_ += paused_ns;
    }

    [[nodiscard]] const TrafficGenerator& generator() const noexcept { return gen_; }

 private:
    static GenOptions gen_options(const DemoOptions& o);

    DemoOptions o_;
    TrafficGenerator gen_;
    capture::CaptureCounters counters_;
    std::string name_ = "demo";
    std::string error_;
    std::atomic<bool> interrupted_{false};
    uint64_t base_mono_ns_ = 0;
    uint64_t next_anomaly_ns_ = 0;
    int next_kind_ = 0;
};

}  // namespace nms::gen
