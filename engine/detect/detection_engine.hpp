#pragma once
// DetectionEngine (stats thread): the global halves of the detectors, fed with the workers'
// per-second deltas, judged once per packet-time second, and the AlertManager their
// candidates go to. Seconds are evaluated in order once every worker had time to report
// them (a short grace in packet time; the final tick takes everything), so a replay at any
// speed gives the alerts the live traffic would have. Allowlists (global and per detector)
// and severity overrides are applied here, before the AlertManager sees a candidate.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "config/config.hpp"
#include "detect/alert_manager.hpp"
#include "detect/allowlist.hpp"
#include "detect/detect_delta.hpp"
#include "detect/detector.hpp"
#include "detect/shard_detector_set.hpp"
#include "devices/device_table.hpp"

namespace nms::detect {

struct DetectEngineCounters {
    uint64_t evaluations = 0;      // packet-time seconds judged
    uint64_t deltas = 0;           // worker deltas absorbed
    uint64_t late_deltas = 0;      // arrived after their second was judged (still counted in windows)
    uint64_t allowlisted = 0;      // candidates dropped by an allowlist
};

class DetectionEngine {
 public:
    // `offline`: a replay (packet time only); live, the clock also runs while traffic pauses.
    DetectionEngine(const config::DetectConfig& cfg, const devices::LocalNets* local_nets, bool offline,
                    AlertManager::Clock wall_clock = {});
    ~DetectionEngine();

    // One per worker, before the workers start (any thread).
    [[nodiscard]] std::unique_ptr<ShardDetectorSet> make_shard_set(uint32_t worker) const;

    AlertManager& alerts() noexcept { return alerts_; }
    [[nodiscard]] const AlertManager& alerts() const noexcept { return alerts_; }

    // Stats thread.
    void absorb(std::vector<DetectDelta>&& deltas);
    void on_device_event(const devices::DeviceEvent& ev);
    // Judges every second that is complete by `packet_time` (newest packet time of any
    // worker); `final` judges everything left and ends every episode.
    void tick(TimestampNs packet_time, uint64_t mono_now, bool final);

    // Before start: episodes are persisted (a store), so the final tick keeps them open for
    // the next start instead of ending them (a restart is not the end of an attack).
    void keep_episodes_open_at_end(bool keep) noexcept { keep_open_at_end_ = keep; }

    // Any thread (SIGHUP): thresholds, windows, allowlists, severities; applied at the next tick.
    void reload(const config::DetectConfig& cfg);

    [[nodiscard]] const DetectEngineCounters& counters() const noexcept { return counters_; }
    [[nodiscard]] size_t detector_count() const noexcept { return slots_.size(); }
    // Learned state per detector kind (baselines) for the store: save at stop, load at start.
    [[nodiscard]] std::vector<std::pair<AlertKind, std::string>> save_state() const;
    void load_state(AlertKind kind, std::string_view text);

 private:
    struct Slot {
        size_t index = 0;                 // in builtin_detectors(): the DetectDelta part index
        std::unique_ptr<GlobalDetector> global;
        Allowlist allowlist;
        std::optional<Severity> severity;
    };
    class GatedSink;

    void configure(const config::DetectConfig& cfg);
    void absorb_one(const DetectDelta& d);
    void evaluate(int64_t second);

    config::DetectConfig cfg_;
    const devices::LocalNets* local_nets_;
    bool offline_;
    bool keep_open_at_end_ = false;
    AlertManager alerts_;
    std::vector<Slot> slots_;
    size_t part_count_ = 0;               // = builtin_detectors().size()
    Allowlist global_allowlist_;
    std::map<int64_t, std::vector<DetectDelta>> pending_;
    std::vector<devices::DeviceEvent> device_events_;
    bool evaluated_any_ = false;
    int64_t evaluated_ = 0;               // newest second judged
    TimestampNs last_packet_time_ = 0;
    uint64_t mono_at_packet_time_ = 0;
    DetectEngineCounters counters_;

    std::mutex reload_mutex_;
    std::optional<config::DetectConfig> pending_config_;
    std::atomic<bool> reload_pending_{false};
};

// "high" -> kHigh; nullopt for "" (the kind's default) or an unknown word.
std::optional<Severity> severity_from_name(std::string_view name) noexcept;

}  // namespace nms::detect
