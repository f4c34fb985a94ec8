#pragma once
// Engine: builds the thread topology from a validated Config and runs it.
//   capture[c] --PacketChannel--> worker[w] --FlowRecordRing--> output (EVE) --> store
//                                  worker[w] --ShardSnapshot--> stats --> latest Snapshot --> store, API
// Start order: workers, store, output, stats, API, then captures (consumers before producers).
// Stop order: API, captures, then workers drain and flush, then output and stats finish, then
// the store drains its queues and closes the database.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <atomic>

#include "api/server.hpp"
#include "devices/local_nets.hpp"
#include "evidence/evidence_collector.hpp"
#include "evidence/evidence_recorder.hpp"
#include "evidence/evidence_writer.hpp"
#include "mitigate/ban_manager.hpp"
#include "capture/capture_source.hpp"
#include "config/config.hpp"
#include "detect/detection_engine.hpp"
#include "output/eve_writer.hpp"
#include "output/output_thread.hpp"
#include "pipeline/capture_thread.hpp"
#include "pipeline/packet_channel.hpp"
#include "pipeline/worker.hpp"
#include "stats/stats_thread.hpp"
#include "store/store_thread.hpp"

namespace nms::app {

struct RunSummary {
    uint64_t packets = 0;
    uint64_t bytes = 0;
    uint64_t flows = 0;            // flow records emitted
    uint64_t invalid = 0;
    uint64_t drops = 0;            // kernel + ring + records
    double seconds = 0;
    std::string capture_errors;    // non-fatal source errors (e.g. truncated file)
};

class Engine {
 public:
    explicit Engine(config::Config cfg);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // Opens capture sources and output files and builds the topology. On failure returns
    // a message meant for the operator (exit code 2).
    std::optional<std::string> open();
    void start();
    // True once every capture source has ended by itself (end of file) or failed.
    [[nodiscard]] bool captures_finished() const noexcept;
    // Stops capture, drains rings, flushes flows, finishes outputs. Idempotent.
    RunSummary shutdown();
    // SIGHUP: applies the settings that can change live; logs what needs a restart.
    void reload(const config::Config& fresh);

    [[nodiscard]] stats::SnapshotPtr latest_snapshot() const;
    // The store (null when storage is off or unavailable): counters, health, database path.
    [[nodiscard]] const store::StoreThread* store() const noexcept { return store_.get(); }
    // The store as an alert listener / ban sink (the alert and ban managers are wired to it).
    [[nodiscard]] store::StoreThread* store() noexcept { return store_.get(); }
    [[nodiscard]] const config::Config& config() const noexcept { return cfg_; }
    // Detection (null when [detect] enabled = false): alerts, suppressions, listeners.
    [[nodiscard]] detect::DetectionEngine* detection() noexcept { return detection_.get(); }
    [[nodiscard]] bool offline() const noexcept { return !cfg_.capture.pcap_file.empty(); }
    // Whether state learned about this site (site.fp, site_fingerprints.tsv) is read and written:
    // live capture, or a replay with devices.site_fingerprints_replay.
    [[nodiscard]] bool site_data_in_use() const noexcept;

    // Alert consumers of this branch, for the AlertManager: evidence PCAPs (null when
    // [evidence] is off or no data directory is in use) and bans (null when [mitigation] is off).
    [[nodiscard]] evidence::EvidenceRecorder* evidence_recorder() noexcept { return evidence_recorder_.get(); }
    [[nodiscard]] mitigate::BanManager* bans() noexcept { return bans_.get(); }
    // Before start(): receives each evidence PCAP written (on the evidence thread), so the
    // alert's evidence_pcap can be set.
    void set_evidence_listener(evidence::EvidenceListener l) { evidence_listener_ = std::move(l); }
    // Live mitigation edits nftables after privileges are dropped: keep cap_net_admin.
    [[nodiscard]] bool needs_net_admin() const noexcept { return bans_ && !bans_->dry_run(); }

 private:
    void setup_devices();
    // Queues the devices changed since the last save (all of them at shutdown) for the store.
    void persist_devices(bool all);
    void setup_detection();
    // Start-up: open alert episodes and detector baselines of the previous run, from the store.
    void restore_detection();
    // Queues every detector's learned state (baselines) for the store.
    void persist_detector_state();
    void save_site_fingerprints();
    std::optional<std::string> open_sources(std::vector<std::unique_ptr<capture::CaptureSource>>& out);
    std::optional<std::string> open_api();
    // engine_alert_hooks.cpp: alerts, suppressions and bans for the API; ban events for the store.
    void add_alert_hooks(api::ApiHooks& hooks);
    void record_ban_event(const mitigate::BanEvent& ev);
    std::optional<std::string> open_store();
    [[nodiscard]] bool evidence_in_use() const noexcept;
    std::optional<std::string> open_evidence();
    std::optional<std::string> open_mitigation();

    config::Config cfg_;
    pipeline::WorkerControl control_;
    std::atomic<bool> eve_stats_{true};  // output.eve_stats, live on SIGHUP
    std::vector<std::unique_ptr<pipeline::Doorbell>> doorbells_;      // one per worker
    std::vector<std::unique_ptr<pipeline::PacketChannel>> channels_;  // [capture * workers + worker]
    std::vector<std::unique_ptr<pipeline::Worker>> workers_;
    std::vector<std::unique_ptr<pipeline::CaptureThread>> captures_;
    std::unique_ptr<output::EveWriter> eve_;
    std::unique_ptr<output::OutputThread> output_;
    std::unique_ptr<stats::StatsThread> stats_;
    std::unique_ptr<devices::LocalNets> local_nets_;  // read by workers and detectors; outlives them
    std::unique_ptr<detect::DetectionEngine> detection_;  // driven by the stats thread
    std::unique_ptr<detect::AlertListener> eve_alerts_;   // alerts -> EVE
    std::unique_ptr<api::ApiServer> api_;  // null with --no-api, or a replay without --listen
    std::unique_ptr<store::StoreThread> store_;
    devices::DeviceMerger* device_merger_ = nullptr;  // owned by stats_; stats thread only while running
    TimestampNs devices_saved_to_ = 0;                 // stats thread: devices seen after this are unsaved
    uint32_t device_save_ticks_ = 0;
    uint64_t detector_state_saved_mono_ = 0;           // stats thread: last save of the baselines
    std::vector<std::unique_ptr<evidence::EvidenceCollector>> evidence_collectors_;  // one per worker
    std::unique_ptr<evidence::EvidenceRecorder> evidence_recorder_;
    std::unique_ptr<evidence::EvidenceWriter> evidence_writer_;
    evidence::EvidenceListener evidence_listener_;
    std::unique_ptr<mitigate::BanManager> bans_;
    uint64_t started_mono_ = 0;
    bool started_ = false;
    bool shut_down_ = false;
    RunSummary summary_;
};

}  // namespace nms::app
