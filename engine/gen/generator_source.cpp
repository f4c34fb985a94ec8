#include "gen/generator_source.hpp"

#include <algorithm>
#include <ctime>

namespace nms::gen {

GenOptions GeneratorSource::gen_options(const DemoOptions& o) {
    GenOptions g;
    g.flows = o.flows;
    g.packets = 0;  // endless
    g.rate = o.rate;
    g.seed = o.seed;
    g.local_hosts = 40;  // a small office: devices recur, so the device view is meaningful
    return g;
}

GeneratorSource::GeneratorSource(const DemoOptions& options) : o_(options), gen_(gen_options(options)) {
    if (o_.rate <= 0) o_.rate = 1;
    if (o_.batch == 0) o_.batch = 1;
}

capture::PollResult GeneratorSource::poll(capture::FrameSink& sink, int timeout_ms) noexcept {
    const uint64_t now = monotonic_ns();
    if (base_mono_ns_ == 0) {
        base_mono_ns_ = now;
        next_anomaly_ns_ = now + o_.first_anomaly_s * kNsPerSec;
    }
    auto due_count = [&](uint64_t t) {
        const auto due = static_cast<uint64_t>(static_cast<double>(t - base_mono_ns_) * o_.rate / 1e9);
        return due > counters_.frames ? due - counters_.frames : 0;
    };
    uint64_t due = due_count(now);
    if (due == 0) {
        // Sleep until the next frame is due, at most timeout_ms, in short slices so that
        // interrupt() is honoured quickly.
        const auto gap = static_cast<uint64_t>(1e9 / o_.rate);
        const uint64_t limit = now + static_cast<uint64_t>(timeout_ms > 0 ? timeout_ms : 0) * kNsPerMs;
        const uint64_t until = std::min(now + gap, limit);
        uint64_t t = now;
        while (t < until && !interrupted_.load(std::memory_order_relaxed)) {
            const uint64_t slice = std::min<uint64_t>(until - t, 10 * kNsPerMs);
            timespec ts{static_cast<time_t>(slice / kNsPerSec), static_cast<long>(slice % kNsPerSec)};
            nanosleep(&ts, nullptr);
            t = monotonic_ns();
        }
        interrupted_.store(false, std::memory_order_relaxed);
        due = due_count(t);
        if (due == 0) return capture::PollResult::kIdle;
    }
    // After a long stall (suspended process, slow pipeline), catch up by at most a second.
    if (due > static_cast<uint64_t>(o_.rate)) {
        base_mono_ns_ += static_cast<uint64_t>(static_cast<double>(due - static_cast<uint64_t>(o_.rate)) * 1e9 / o_.rate);
        due = static_cast<uint64_t>(o_.rate);
    }
    const uint64_t t = monotonic_ns();
    if (o_.anomaly_interval_s && t >= next_anomaly_ns_) {
        AnomalySpec a;
        a.kind = static_cast<AnomalyKind>(next_kind_);
        // Demo-sized: noticeable, but not minutes of one attack at a few thousand pps.
        static constexpr uint32_t kDemoSize[kAnomalyKinds] = {300, 64, 3000, 150, 300, 30, 5, 40, 15};
        a.param = kDemoSize[next_kind_];
        gen_.inject(a);
        next_kind_ = (next_kind_ + 1) % kAnomalyKinds;
        next_anomaly_ns_ = t + o_.anomaly_interval_s * kNsPerSec;
    }
    const uint64_t n = std::min<uint64_t>(due, o_.batch);
    const TimestampNs wall = wall_ns();
    Frame f;
    for (uint64_t i = 0; i < n; ++i) {
        gen_.next_at(wall, f);
        capture::RawFrame raw;
        raw.data = f.data;
        raw.caplen = f.len;
        raw.wirelen = f.len;
        raw.ts_ns = f.ts_ns;
        sink.on_frame(raw);
        counters_.frames++;
        counters_.bytes += f.len;
    }
    sink.end_batch();
    return capture::PollResult::kFrames;
}

}  // namespace nms::gen
