#pragma once
// TrafficGenerator: the deterministic frame source. Keeps `flows` sessions in progress,
// picks which one sends next from the seeded stream, builds that frame, and replaces
// finished sessions. Anomalies run beside them and take `anomaly_share` of the frames.
#include <array>
#include <cstdint>
#include <memory>
#include <unordered_set>
#include <vector>

#include "common/time.hpp"
#include "gen/frame_builder.hpp"
#include "gen/gen_options.hpp"
#include "gen/rng.hpp"
#include "gen/session.hpp"
#include "gen/session_planner.hpp"

namespace nms::gen {

struct Frame {
    const uint8_t* data = nullptr;  // valid until the next call to next()
    uint32_t len = 0;
    TimestampNs ts_ns = 0;
};

struct GenStats {
    uint64_t packets = 0;
    uint64_t bytes = 0;
    uint64_t flows = 0;            // distinct IP 5-tuples among the frames emitted so far
    uint64_t sessions[kSessionKinds]{};
    uint64_t anomalies[kAnomalyKinds]{};   // anomalies started
};

class TrafficGenerator {
 public:
    explicit TrafficGenerator(const GenOptions& options);

    // Next frame, timestamped on the options' clock (start_ns + i / rate). False once
    // `packets` frames were made (never when packets == 0).
    bool next(Frame& out);
    // Same, with the caller's timestamp (live/demo: the wall clock).
    bool next_at(TimestampNs ts, Frame& out);
    // Starts an anomaly now.
    void inject(const AnomalySpec& spec);

    [[nodiscard]] const GenStats& stats() const noexcept { return stats_; }
    [[nodiscard]] const GenOptions& options() const noexcept { return o_; }
    [[nodiscard]] size_t active_anomalies() const noexcept { return anomalies_.size(); }

 private:
    struct KeyHash {
        size_t operator()(const std::array<uint8_t, 37>& k) const noexcept;
    };
    Session& pick();
    void plan(Session& s);
    void emit(const Step& st);
    void count_flow(const Step& st);
    void retire(Session& s);
    const uint8_t* payload(const Session& s, const Step& st);

    GenOptions o_;
    Rng pick_rng_;
    SessionPlanner planner_;
    std::vector<Session> sessions_;
    std::vector<std::unique_ptr<Session>> anomalies_;
    std::vector<uint64_t> anomaly_starts_;   // packet index at which options.anomalies[i] starts
    size_t next_anomaly_ = 0;
    std::vector<uint8_t> random_pool_;
    std::vector<uint8_t> text_pool_;
    uint8_t frame_[kMaxFrame];
    uint8_t payload_[kMaxFrame];
    uint16_t ip_id_ = 0;
    GenStats stats_;
    std::unordered_set<std::array<uint8_t, 37>, KeyHash> keys_;
};

}  // namespace nms::gen
