#include "app/engine.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "capture/capture_factory.hpp"
#include "capture/interfaces.hpp"
#include "common/cpu.hpp"
#include "common/log.hpp"
#include "app/memory_plan.hpp"
#include "common/time.hpp"
#include "config/config_reload.hpp"
#include "config/thread_plan.hpp"
#include "devices/device_table.hpp"
#include "gen/generator_source.hpp"
#include "mitigate/own_addresses.hpp"
#include "output/eve_format.hpp"

namespace nms::app {
namespace {

constexpr uint32_t kDeviceSaveTicks = 5;  // stats ticks between device saves
// Baselines change slowly and can be large (hour-of-week tables): saved once a minute and at
// shutdown, not every tick. A kill -9 costs at most a minute of learning.
constexpr uint64_t kDetectorStateSaveNs = 60 * kNsPerSec;

// Writes every alert open / update / end to EVE (on the stats thread; the writer is shared
// with the output thread and serialises lines itself).
class EveAlertListener final : public detect::AlertListener {
 public:
    explicit EveAlertListener(output::EveWriter& eve) : eve_(eve) {}
    void on_alert(const detect::Alert& alert, detect::AlertPhase phase) noexcept override {
        try {
            std::string line;
            output::append_alert_event(line, alert, phase);
            line.push_back('\n');
            eve_.write(line);
        } catch (const std::exception&) {
            // Out of memory: this line is lost, the alert itself is not.
        }
    }

 private:
    output::EveWriter& eve_;
};

}  // namespace

Engine::Engine(config::Config cfg) : cfg_(std::move(cfg)) {}

Engine::~Engine() { shutdown(); }

std::optional<std::string> Engine::open_sources(std::vector<std::unique_ptr<capture::CaptureSource>>& out) {
    if (cfg_.demo) {  // generated traffic in real time: no NIC, no privileges
        out.push_back(std::make_unique<gen::GeneratorSource>());
        return std::nullopt;
    }
    const auto& cc = cfg_.capture;
    capture::CaptureSourceSpec base;
    base.snaplen = cc.snaplen;
    base.bpf = cc.bpf;
    base.block_size = cc.block_size;
    base.block_count = cc.block_count;
    base.block_timeout_ms = cc.block_timeout_ms;
    base.promiscuous = cc.promiscuous;
    base.fanout_defrag = cc.fanout_defrag;
    base.replay_speed = cc.replay_speed;
    base.loop = cc.loop;
    std::vector<capture::CaptureSourceSpec> specs;
    if (!cc.pcap_file.empty()) {
        auto s = base;
        s.kind = capture::CaptureKind::kFile;
        s.path = cc.pcap_file;
        specs.push_back(s);
    }
    for (size_t i = 0; i < cc.interfaces.size(); ++i) {
        const bool afp = cc.method == config::CaptureMethod::kAfPacket;
        // libpcap live capture has no fanout: one thread per interface.
        const uint32_t members = afp ? std::max<uint32_t>(1, cc.threads_per_interface) : 1;
        auto sync = members > 1 ? std::make_shared<capture::FanoutSync>(members) : nullptr;
        for (uint32_t m = 0; m < members; ++m) {
            auto s = base;
            s.kind = afp ? capture::CaptureKind::kAfPacket : capture::CaptureKind::kPcapLive;
            s.interface = cc.interfaces[i];
            s.fanout = members > 1;
            s.fanout_group = cc.fanout_group ? static_cast<uint16_t>(cc.fanout_group + i)
                                             : capture::default_fanout_group(static_cast<uint32_t>(i));
            s.sync = sync;
            specs.push_back(s);
        }
    }
    if (specs.empty()) return std::string("nothing to capture: give -i IFACE, -r FILE, or [capture] interfaces");
    for (const auto& spec : specs) {
        std::string error;
        auto src = capture::make_capture_source(spec, error);
        if (!src) return error;
        out.push_back(std::move(src));
    }
    return std::nullopt;
}

std::optional<std::string> Engine::open() {
    std::vector<std::unique_ptr<capture::CaptureSource>> sources;
    if (auto err = open_sources(sources)) return err;

    const bool replay = offline();
    const size_t n_cap = sources.size();
    const config::ThreadPlan threads = config::plan_threads(cfg_, allowed_cpus());
    const size_t n_workers = threads.workers;
    const MemoryPlan plan = plan_memory(cfg_, n_cap, n_workers, evidence_in_use());
    const uint32_t ring = cfg_.pipeline.ring_size;
    const uint32_t max_frame = cfg_.capture.snaplen + 4;  // +4: a VLAN tag restored from metadata
    try {
        if (!cfg_.output.eve_path.empty()) eve_ = std::make_unique<output::EveWriter>(cfg_.output.eve_path);
        for (size_t w = 0; w < n_workers; ++w) doorbells_.push_back(std::make_unique<pipeline::Doorbell>());
        for (size_t c = 0; c < n_cap; ++c)
            for (size_t w = 0; w < n_workers; ++w)
                channels_.push_back(std::make_unique<pipeline::PacketChannel>(
                    ring, plan.ring_bytes, sources[c]->link_type(), doorbells_[w].get()));

        local_nets_ = std::make_unique<devices::LocalNets>(cfg_.devices.local_networks);
        if (cfg_.detect.enabled)
            detection_ = std::make_unique<detect::DetectionEngine>(cfg_.detect, local_nets_.get(), replay);
        if (evidence_in_use()) {
            const size_t ring_bytes = plan.evidence_ring_bytes;
            for (size_t w = 0; w < n_workers; ++w)
                evidence_collectors_.push_back(
                    std::make_unique<evidence::EvidenceCollector>(ring_bytes, cfg_.evidence.snaplen, ring_bytes));
        }
        for (size_t w = 0; w < n_workers; ++w) {
            pipeline::WorkerOptions o;
            o.id = static_cast<uint32_t>(w);
            o.flow_capacity = plan.flows_per_worker;
            o.dpi.max_contexts = cfg_.dpi.enabled ? plan.dpi_contexts : 0;
            o.dpi.stream_bytes = cfg_.dpi.stream_bytes;
            o.dpi.max_packets = cfg_.dpi.max_packets;
            o.dpi.max_bytes = cfg_.dpi.max_bytes;
            o.dpi.events = cfg_.dpi.events;
            o.timeouts = cfg_.flow.timeouts;
            o.flow_id_stride = static_cast<uint32_t>(n_workers);
            o.cpu = threads.worker_cpus[w];
            o.offline = replay;
            o.max_devices = cfg_.devices.enabled ? cfg_.devices.max_devices : 0;
            o.local_nets = local_nets_.get();
            o.evidence = evidence_collectors_.empty() ? nullptr : evidence_collectors_[w].get();
            std::vector<pipeline::PacketChannel*> in;
            for (size_t c = 0; c < n_cap; ++c) in.push_back(channels_[c * n_workers + w].get());
            workers_.push_back(std::make_unique<pipeline::Worker>(o, std::move(in), *doorbells_[w], control_));
            if (detection_) workers_.back()->set_detectors(detection_->make_shard_set(static_cast<uint32_t>(w)));
        }
        for (size_t c = 0; c < n_cap; ++c) {
            std::vector<pipeline::PacketChannel*> out;
            for (size_t w = 0; w < n_workers; ++w) out.push_back(channels_[c * n_workers + w].get());
            captures_.push_back(
                std::make_unique<pipeline::CaptureThread>(std::move(sources[c]), std::move(out), max_frame,
                                                          c < threads.capture_cpus.size() ? threads.capture_cpus[c] : -1,
                                                          replay));
        }
    } catch (const std::bad_alloc&) {
        return std::string("not enough memory for rings and flow tables: lower pipeline.ring_size, "
                           "capture.snaplen or flow.max_flows");
    } catch (const std::exception& e) {
        return std::string(e.what());
    }

    std::vector<pipeline::Worker*> ws;
    for (auto& w : workers_) ws.push_back(w.get());
    std::vector<pipeline::CaptureThread*> cs;
    for (auto& c : captures_) cs.push_back(c.get());
    output_ = std::make_unique<output::OutputThread>(ws, eve_.get(), cfg_.output.eve_flow);
    control_.top_n.store(cfg_.stats.top_talkers);
    eve_stats_.store(cfg_.output.eve_stats);
    stats_ = std::make_unique<stats::StatsThread>(
        cfg_.stats.interval_ms, cfg_.stats.history_seconds * 1000 / cfg_.stats.interval_ms, ws, cs, control_);
    // The store first: the device table is filled back from it.
    if (auto err = open_store()) return err;
    if (cfg_.devices.enabled) setup_devices();
    if (detection_) setup_detection();
    // A replay running as fast as possible logs stats once, at the end; live and paced
    // replays log every tick.
    const bool stats_every_tick = !replay || cfg_.capture.replay_speed > 0;
    if (eve_ && stats_every_tick) {
        stats_->add_listener([this, eve = eve_.get()](const stats::SnapshotPtr& s) {
            if (!eve_stats_.load(std::memory_order_relaxed)) return;
            std::string line;
            output::append_stats_event(line, *s);
            line.push_back('\n');
            eve->write(line);
        });
    }
    if (auto err = open_evidence()) return err;
    if (auto err = open_mitigation()) return err;
    if (detection_) {  // after EVE: an alert's own event comes before its ban event
        if (evidence_recorder_) detection_->alerts().add_listener(evidence_recorder_.get());
        if (bans_) detection_->alerts().add_listener(bans_.get());
    }
    // A replay runs port-free (fast offline tests) unless --listen asks for the API.
    if (cfg_.api.enabled && (!replay || cfg_.api.listen_from_cli)) {
        if (auto err = open_api()) return err;
    }
    log::info("engine: %zu capture thread(s), %zu worker(s), rings of %u packets; %s", n_cap, n_workers, ring,
              plan.describe().c_str());
    return std::nullopt;
}

void Engine::setup_devices() {
    const auto& dc = cfg_.devices;
    auto oui = std::make_shared<devices::OuiDb>();
    for (const std::string* f : {&dc.oui_file, &dc.oui_mam_file, &dc.oui36_file}) {
        if (f->empty()) continue;
        if (oui->load_file(*f) < 0) log::warn("devices: cannot read %s: no vendor names from it (Debian: ieee-data)", f->c_str());
    }
    auto p0f = std::make_shared<devices::P0fDb>();
    const std::string site = cfg_.storage.data_dir + "/site.fp";
    // The site's learned signatures belong to its live traffic: a replay (or the demo) of
    // someone else's capture neither uses nor changes them, so its results do not depend on
    // what this machine saw before (unless devices.site_fingerprints_replay asks for it).
    if (dc.site_fingerprints && site_data_in_use()) {
        const long n = p0f->load_file(site, true);
        if (n > 0) log::info("devices: %ld site signature(s) from %s", n, site.c_str());
    }
    if (!dc.p0f_file.empty() && p0f->load_file(dc.p0f_file) < 0)
        log::warn("devices: cannot read %s: no TCP OS fingerprints (Debian: p0f)", dc.p0f_file.c_str());
    auto merger = std::make_unique<devices::DeviceMerger>(dc.max_devices, oui, p0f, dc.site_fingerprints);
    if (dc.site_fingerprints && site_data_in_use()) {
        const std::string path = cfg_.storage.data_dir + "/" + std::string(devices::SiteFingerprints::kFileName);
        auto& fps = merger->site_fingerprints();
        const long n = fps.load_file(path);
        if (n > 0) log::info("devices: %ld site JA4/DHCP fingerprint(s) from %s", n, path.c_str());
        if (fps.malformed())
            log::warn("devices: %zu malformed line(s) in %s skipped (expected 5 tab-separated fields)", fps.malformed(),
                      path.c_str());
    }
    if (!dc.geoip_db.empty() || !dc.asn_db.empty()) {
        auto geo = std::make_unique<devices::GeoLookup>(dc.geoip_db, dc.asn_db);
        if (!geo->warnings().empty()) log::warn("%s", geo->warnings().c_str());
        merger->set_geo(std::move(geo));
    }
    stats::StatsThread::DeviceListener listener;
    if (eve_) {
        listener = [eve = eve_.get()](const devices::DeviceEvent& ev) {
            std::string line;
            output::append_device_event(line, ev);
            line.push_back('\n');
            eve->write(line);
        };
    }
    device_merger_ = merger.get();
    stats_->set_devices(std::move(merger), std::move(listener));
    if (!store_) return;
    const size_t restored = stats_->restore_devices(store_->load_devices(dc.max_devices));
    if (restored) log::info("store: %zu device(s) loaded back", restored);
    // Changed devices are saved every few ticks (and all of them at shutdown).
    stats_->add_listener([this](const stats::SnapshotPtr&) {
        if (++device_save_ticks_ % kDeviceSaveTicks == 0) persist_devices(false);
    });
}

void Engine::persist_devices(bool all) {
    if (!store_ || !device_merger_) return;
    auto devs = all ? device_merger_->all() : device_merger_->seen_after(devices_saved_to_);
    for (const auto& d : devs) devices_saved_to_ = std::max(devices_saved_to_, d.last_ns);
    store_->on_devices(devs);
}

void Engine::setup_detection() {
    if (eve_) {
        eve_alerts_ = std::make_unique<EveAlertListener>(*eve_);
        detection_->alerts().add_listener(eve_alerts_.get());
    }
    if (store_) {  // alert ids continue across restarts; every episode is kept
        detection_->alerts().set_next_id(store_->max_alert_id() + 1);
        detection_->alerts().add_listener(store_.get());
        restore_detection();
    }
    stats_->set_detection(detection_.get());
}

void Engine::restore_detection() {
    // A restart is not the end of an attack: open episodes stay open in the store at
    // shutdown and continue here (same id) if the attack goes on, else end after the timeout.
    detection_->keep_episodes_open_at_end(true);
    std::vector<detect::Alert> open;
    for (auto& s : store_->open_alerts()) open.push_back(std::move(s.alert));
    const size_t restored = detection_->alerts().restore(std::move(open));
    if (restored) log::info("store: %zu open alert episode(s) loaded back", restored);
    for (const auto& [name, text] : store_->detector_states()) {
        const detect::AlertKind kind = detect::alert_kind_from_name(name);
        if (kind == detect::AlertKind::kCount) continue;  // a detector this build no longer has
        detection_->load_state(kind, text);
        log::info("store: %s detector state loaded back (%zu bytes)", name.c_str(), text.size());
    }
    detector_state_saved_mono_ = monotonic_ns();
    stats_->add_listener([this](const stats::SnapshotPtr&) {
        if (monotonic_ns() - detector_state_saved_mono_ >= kDetectorStateSaveNs) persist_detector_state();
    });
}

void Engine::persist_detector_state() {
    if (!store_ || !detection_) return;
    detector_state_saved_mono_ = monotonic_ns();
    for (auto& [kind, text] : detection_->save_state()) {
        if (!store_->save_detector_state(detect::alert_kind_name(kind), std::move(text)))
            log::warn("store: %s detector state not saved (command queue full)", detect::alert_kind_name(kind));
    }
}

bool Engine::site_data_in_use() const noexcept {
    return (!offline() || cfg_.devices.site_fingerprints_replay) && !cfg_.demo;
}

void Engine::save_site_fingerprints() {
    const devices::DeviceMerger* m = stats_ ? stats_->devices() : nullptr;
    if (!m || !cfg_.devices.site_fingerprints || !site_data_in_use()) return;
    const auto& fps = m->site_fingerprints();
    const auto c = m->counters();
    if (m->site_signatures().empty() && fps.learned().empty() && c.site_conflicts == 0) return;
    std::error_code ec;
    std::filesystem::create_directories(cfg_.storage.data_dir, ec);
    if (!m->site_signatures().empty()) {
        const std::string path = cfg_.storage.data_dir + "/site.fp";
        if (!m->save_site(path)) log::warn("devices: cannot write %s: learned signatures not kept", path.c_str());
        else log::info("devices: %zu learned signature(s) saved to %s", m->site_signatures().size(), path.c_str());
    }
    if (!fps.learned().empty() || c.site_conflicts) {
        const std::string path = cfg_.storage.data_dir + "/" + std::string(devices::SiteFingerprints::kFileName);
        if (!fps.save(path)) log::warn("devices: cannot write %s: learned fingerprints not kept", path.c_str());
        else log::info("devices: %zu learned JA4/DHCP fingerprint(s) saved to %s", fps.learned().size(), path.c_str());
    }
}

std::optional<std::string> Engine::open_api() {
    api::UserStore users;
    if (auto err = users.load(cfg_)) return "API users: " + *err;
    if (users.empty()) {
        std::string error;
        const auto password = users.bootstrap(cfg_.storage.data_dir, error);
        if (!password) return "API users: " + error;
        // Shown once, never logged; only the hash is stored.
        std::fprintf(stderr,
                     "netmonsec: created API user \"admin\" with password: %s\n"
                     "netmonsec: (stored only as a hash in %s; this is the only time it is shown)\n",
                     password->c_str(), api::UserStore::users_file(cfg_.storage.data_dir).c_str());
    }
    api::ApiHooks hooks;
    hooks.snapshot = [this] { return stats_->latest(); };
    hooks.captures = [this] {
        std::vector<api::CaptureStatus> out;
        for (const auto& c : captures_) {
            const bool done = c->finished();
            out.push_back({c->name(), !done, done && c->failed() ? c->error() : std::string(), !done && c->paused()});
        }
        return out;
    };
    // capture/stop and capture/start: every capture thread pauses or resumes together.
    hooks.capture_stop = [this] {
        bool changed = false;
        for (const auto& c : captures_) changed |= c->pause();
        return changed;
    };
    hooks.capture_start = [this] {
        bool changed = false;
        for (const auto& c : captures_) changed |= c->resume();
        return changed;
    };
    hooks.reload = [] { return ::kill(::getpid(), SIGHUP) == 0; };  // main's signal loop reloads
    hooks.interfaces = [] { return capture::list_interfaces(); };
    hooks.stats_interval_ms = cfg_.stats.interval_ms;
    hooks.data_dir = cfg_.storage.data_dir;
    if (store_) {
        hooks.database_path = store_->database_path();
        hooks.acknowledge = [s = store_.get()](uint64_t id, const std::string& user) { return s->acknowledge(id, user); };
    }
    add_alert_hooks(hooks);
    api_ = std::make_unique<api::ApiServer>(cfg_.api, std::move(users), std::move(hooks));
    if (auto err = api_->open(cfg_.api.listen)) return err;
    stats_->add_listener([api = api_.get()](const stats::SnapshotPtr& s) { api->publish(*s); });
    return std::nullopt;
}

// Storage: live capture writes when [storage] enabled; replays and --demo only with
// storage.store_replays or an explicit --data-dir. An unusable configured directory is a
// warning (run without history); an unusable --data-dir is an error.
std::optional<std::string> Engine::open_store() {
    const auto& sc = cfg_.storage;
    if (!sc.enabled) return std::nullopt;
    const bool live = !offline() && !cfg_.demo;
    if (!live && !sc.store_replays && !sc.data_dir_from_cli) {
        log::info("store: off for replays and --demo (give --data-dir or set storage.store_replays)");
        return std::nullopt;
    }
    std::string err = store::prepare_data_dir(sc.data_dir);
    if (err.empty()) {
        try {
            auto opts = store::store_options(sc, &dpi::builtin_registry(), cfg_.devices.max_devices);
            opts.offline = offline();
            store_ = std::make_unique<store::StoreThread>(std::move(opts));
        } catch (const std::exception& e) {
            err = e.what();
        }
    }
    if (!err.empty()) {
        if (sc.data_dir_from_cli) return err + " (from --data-dir)";
        log::warn("store: %s; running without history (fix storage.data_dir, or set storage.enabled = false)",
                  err.c_str());
        return std::nullopt;
    }
    output_->add_sink(store_.get());
    const auto history = store_->recent_history(cfg_.stats.history_seconds);
    stats_->seed_history(history);
    stats_->add_listener([s = store_.get()](const stats::SnapshotPtr& snap) { s->on_stats(snap); });
    stats_->add_decorator([s = store_.get()](stats::Snapshot& snap) { snap.store = s->health(); });
    log::info("store: %s, %zu history points loaded", store_->database_path().c_str(), history.size());
    return std::nullopt;
}

// Evidence PCAPs go to the data directory, under the same rule as the store: live capture,
// or a replay / --demo with --data-dir or storage.store_replays.
bool Engine::evidence_in_use() const noexcept {
    if (!cfg_.evidence.enabled) return false;
    const bool live = !offline() && !cfg_.demo;
    return live || cfg_.storage.store_replays || cfg_.storage.data_dir_from_cli;
}

std::optional<std::string> Engine::open_evidence() {
    if (evidence_collectors_.empty()) return std::nullopt;
    std::vector<evidence::EvidenceCollector*> cs;
    for (auto& c : evidence_collectors_) cs.push_back(c.get());
    evidence::EvidenceWriterOptions o;
    o.dir = cfg_.storage.data_dir + "/evidence";
    o.snaplen = cfg_.evidence.snaplen;
    o.max_files = cfg_.evidence.max_files;
    o.max_total_bytes = uint64_t{cfg_.evidence.max_total_mib} << 20;
    evidence_writer_ = std::make_unique<evidence::EvidenceWriter>(
        o, cs, [this](const evidence::EvidenceFile& f) {
            if (store_) store_->set_alert_evidence(f.alert_id, f.file_name);  // GET alerts/{id}/pcap
            if (evidence_listener_) evidence_listener_(f);
        });
    if (auto err = evidence_writer_->open()) {
        if (cfg_.storage.data_dir_from_cli) return *err + " (from --data-dir)";
        log::warn("%s; running without evidence PCAPs", err->c_str());
        evidence_writer_.reset();
        return std::nullopt;  // the collectors still run: cheap, and the workers already hold them
    }
    evidence_recorder_ = std::make_unique<evidence::EvidenceRecorder>(cs, cfg_.evidence.before_s, cfg_.evidence.after_s);
    return std::nullopt;
}

// Bans act on this host's firewall, so only live capture may really ban: a replay or the
// demo decides and reports the same way in dry-run mode (a way to try the policy).
std::optional<std::string> Engine::open_mitigation() {
    if (!cfg_.mitigation.enabled) return std::nullopt;
    config::MitigationConfig mc = cfg_.mitigation;
    if ((offline() || cfg_.demo) && !mc.dry_run) {
        log::info("mitigation: replay or demo: dry run only");
        mc.dry_run = true;
    }
    mitigate::BanEventListener listener = [this](const mitigate::BanEvent& ev) {
        record_ban_event(ev);
        if (!eve_) return;
        std::string line;
        output::append_ban_event(line, ev);
        line.push_back('\n');
        eve_->write(line);
    };
    bans_ = std::make_unique<mitigate::BanManager>(mc, mitigate::own_addresses(), std::move(listener));
    return bans_->open();  // live: creates the nft table now, while still privileged
}

void Engine::start() {
    started_mono_ = monotonic_ns();
    for (auto& w : workers_) w->start();
    if (store_) store_->start();
    if (evidence_writer_) evidence_writer_->start();
    if (bans_) bans_->start();
    output_->start();
    stats_->start();
    if (api_) api_->start();
    for (auto& c : captures_) c->start();
    started_ = true;
}

bool Engine::captures_finished() const noexcept {
    return std::all_of(captures_.begin(), captures_.end(), [](const auto& c) { return c->finished(); });
}

RunSummary Engine::shutdown() {
    if (!started_ || shut_down_) return summary_;
    shut_down_ = true;
    if (api_) api_->stop();
    for (auto& c : captures_) c->request_stop();
    for (auto& c : captures_) c->join();
    control_.inputs_done.store(true, std::memory_order_release);
    for (auto& w : workers_) w->wake();
    for (auto& w : workers_) w->join();
    if (evidence_writer_) evidence_writer_->stop();  // the workers' last parts are in
    output_->join();
    stats_->stop();
    auto snap = stats_->tick(true);
    if (eve_ && eve_stats_.load()) {
        std::string line;
        output::append_stats_event(line, *snap);
        line.push_back('\n');
        eve_->write(line);
        eve_->flush();
    }
    if (bans_) bans_->stop();  // after the last alert (final tick): deletes the nft table
    save_site_fingerprints();
    persist_devices(true);  // the stats thread has stopped: this thread owns the table now
    persist_detector_state();
    if (store_) store_->stop();  // after the last producer (output, final stats tick)
    summary_.packets = snap->traffic.packets;
    summary_.bytes = snap->traffic.bytes;
    summary_.flows = output_->flows_written();
    summary_.invalid = snap->decode_invalid;
    summary_.drops = snap->kernel_drops + snap->paused_drops + snap->ring_full_drops + snap->records_dropped;
    summary_.seconds = static_cast<double>(monotonic_ns() - started_mono_) / 1e9;
    for (auto& c : captures_)
        if (!c->error().empty()) summary_.capture_errors += c->name() + ": " + c->error() + "; ";
    return summary_;
}

void Engine::reload(const config::Config& fresh) {
    const auto plan = config::reloadable_differences(cfg_, fresh);
    config::apply_live(cfg_, fresh);
    for (auto& w : workers_) w->set_pending_timeouts(cfg_.flow.timeouts);
    control_.top_n.store(cfg_.stats.top_talkers, std::memory_order_relaxed);
    eve_stats_.store(cfg_.output.eve_stats, std::memory_order_relaxed);
    if (output_) output_->set_eve_flows(cfg_.output.eve_flow);
    if (detection_) detection_->reload(cfg_.detect);
    auto join = [](const std::vector<std::string>& keys) {
        std::string out;
        for (const auto& k : keys) out += (out.empty() ? "" : ", ") + k;
        return out.empty() ? std::string("none") : out;
    };
    log::warn("configuration reloaded from %s; applied now: %s; needs a restart: %s",
              fresh.path.empty() ? "built-in defaults" : fresh.path.c_str(), join(plan.live).c_str(),
              join(plan.restart).c_str());
}

stats::SnapshotPtr Engine::latest_snapshot() const { return stats_ ? stats_->latest() : nullptr; }

}  // namespace nms::app
