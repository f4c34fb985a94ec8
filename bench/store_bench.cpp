// store_bench: what the store sustains, and what it costs the pipeline.
//
//   store_bench [FILE] [--rows N] [--repeat R] [--workers W]
//
// 1. writer:   StoreWriter alone, N flow rows in transactions of 1000 (SQLite only).
// 2. thread:   StoreThread end to end, N flows handed over as the output thread does, until
//              stop() has committed them all (SQLite + daily ndjson/csv logs).
// 1b. entities: alert upserts (an episode opened, then updated under the same id) and device
//              upserts (addresses, hostname, OS evidence) through the same writer.
// 3. retention: deleting those rows in slices of 2000 with incremental vacuum: rows/s and
//              the longest single step (the longest pause of the store thread).
// 4. pipeline (with FILE): the whole engine on the capture file with storage off and on
//              (--data-dir semantics), R interleaved off/on pairs in the same process; the
//              median of the per-pair on/off throughput ratios.
// Prints one JSON object. Everything goes to a fresh directory under /tmp, removed at the end.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "app/engine.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "dpi/registry.hpp"
#include "store/store_thread.hpp"
#include "store/store_writer.hpp"

namespace {

namespace fs = std::filesystem;
using namespace nms;

double now_s() { return static_cast<double>(monotonic_ns()) / 1e9; }

// CPU time is what storage costs whatever else runs on the machine: on a box without a spare
// core it is the throughput the pipeline loses; wall-clock ratios swing with other load.
double process_cpu_s() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

pipeline::FlowRecord make_flow(uint64_t i) {
    pipeline::FlowRecord r{};
    flow::Flow& f = r.flow;
    const uint8_t c[4] = {10, static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
    const uint8_t s[4] = {192, 0, 2, static_cast<uint8_t>(i % 7)};
    f.key.addr_lo = IpAddr::from_v4(c);
    f.key.addr_hi = IpAddr::from_v4(s);
    f.key.port_lo = static_cast<uint16_t>(1024 + i % 60000);
    f.key.port_hi = i % 3 ? 443 : 53;
    f.key.proto = i % 3 ? 6 : 17;
    f.flow_id = i + 1;
    f.first_ns = wall_ns() - kNsPerSec;
    f.last_ns = wall_ns();
    f.pkts[0] = 10;
    f.pkts[1] = 8;
    f.bytes[0] = 1500;
    f.bytes[1] = 9000;
    f.tcp_state = flow::TcpState::kClosed;
    r.reason = flow::EndReason::kTcpClosed;
    return r;
}

struct Pipeline {
    double seconds = 0;          // start() to the end of shutdown(): store drain included
    double capture_seconds = 0;  // start() until the capture read the whole file (packet path)
    double cpu_seconds = 0;      // process CPU time (user + system) from start() to the end of shutdown()
    app::RunSummary summary;
    uint64_t store_flows = 0;
    uint64_t store_dropped = 0;
};

bool run_pipeline(const std::string& file, uint32_t workers, const std::string& data_dir, Pipeline& out,
                  std::string& error) {
    config::Config cfg;
    cfg.capture.pcap_file = file;
    cfg.pipeline.workers = workers;
    cfg.api.enabled = false;
    cfg.storage.enabled = !data_dir.empty();
    cfg.storage.data_dir = data_dir;
    cfg.storage.data_dir_from_cli = true;
    app::Engine engine(cfg);
    if (auto err = engine.open()) {
        error = *err;
        return false;
    }
    const double t0 = now_s();
    const double cpu0 = process_cpu_s();
    engine.start();
    while (!engine.captures_finished()) std::this_thread::sleep_for(std::chrono::microseconds(200));
    out.capture_seconds = now_s() - t0;
    out.summary = engine.shutdown();
    out.seconds = now_s() - t0;
    out.cpu_seconds = process_cpu_s() - cpu0;
    if (const auto* st = engine.store()) {
        out.store_flows = st->counters().flows_written.get();
        out.store_dropped = st->counters().dropped_total();
    }
    return true;
}

}  // namespace

namespace {

store::AlertChange make_alert(uint64_t id, int pass) {
    store::AlertChange c;
    detect::Alert& a = c.alert;
    a.id = id;
    a.kind = detect::AlertKind::kSynFlood;
    a.severity = detect::Severity::kHigh;
    a.has_src = a.has_victim = true;
    a.src = IpAddr::from_v4(0x0a000000u | static_cast<uint32_t>(id & 0xffff));
    a.victim = IpAddr::from_v4(0x0a0000fe);
    a.victim_count = 1;
    a.first_seen = 1'700'000'000ull * kNsPerSec + id;
    a.last_seen = a.first_seen + static_cast<uint64_t>(pass) * kNsPerSec;
    a.updates = static_cast<uint32_t>(pass);
    a.explanation = {"syn_per_s", 5000, 1000, 5, 0, 0, "5000 SYN/s to 10.0.0.254 in 5 s (threshold 1000)"};
    a.evidence = {{"dst_port", 80.0}, {"top_ports", std::vector<std::string>{"80", "443"}}};
    a.top_peers = {{a.victim, 5000}};
    c.phase = pass ? detect::AlertPhase::kUpdated : detect::AlertPhase::kOpened;
    return c;
}

devices::Device make_device(uint64_t i) {
    devices::Device d;
    devices::Mac m = {0x02, 0, static_cast<uint8_t>(i >> 24), static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 8),
                      static_cast<uint8_t>(i)};
    d.key = devices::DeviceKey::of_mac(m);
    d.mac = devices::mac_to_string(m);
    d.local = true;
    d.ips.push_back(IpAddr::from_v4(0x0a000000u | static_cast<uint32_t>(i & 0xffffff)));
    d.first_ns = 1'700'000'000ull * kNsPerSec;
    d.last_ns = d.first_ns + i;
    d.bytes_out = 1000 + i;
    d.hostnames.push_back("host-" + std::to_string(i));
    d.os_evidence.push_back({"dhcp_vendor_class", "MSFT 5.0", "Windows", "win", 70, d.last_ns});
    d.os = "Windows";
    return d;
}

}  // namespace

int main(int argc, char** argv) {
    std::string file;
    uint64_t rows = 200000;
    int repeat = 3;
    uint32_t workers = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--rows" && i + 1 < argc) rows = std::strtoull(argv[++i], nullptr, 10);
        else if (a == "--repeat" && i + 1 < argc) repeat = std::atoi(argv[++i]);
        else if (a == "--workers" && i + 1 < argc) workers = static_cast<uint32_t>(std::atoi(argv[++i]));
        else if (file.empty() && !a.empty() && a[0] != '-') file = a;
        else {
            std::fprintf(stderr, "usage: store_bench [FILE] [--rows N] [--repeat R] [--workers W]\n");
            return 2;
        }
    }
    if (rows < 1000 || repeat < 1 || workers < 1) return 2;
    log::set_level(log::Level::kWarn);
    std::string tmpl = (fs::temp_directory_path() / "nms_store_bench_XXXXXX").string();
    const std::string base = mkdtemp(tmpl.data());
    const auto* registry = &dpi::builtin_registry();

    std::vector<pipeline::FlowRecord> batch;
    for (uint64_t i = 0; i < 1000; ++i) batch.push_back(make_flow(i));

    // 1. StoreWriter alone.
    double writer_rps = 0, retention_rps = 0, retention_max_ms = 0, vacuum_rps = 0;
    uint64_t retention_steps = 0;
    uint64_t db_bytes = 0;
    {
        store::StoreWriter w(base + "/writer.db", registry);
        std::string err;
        const double t0 = now_s();
        for (uint64_t done = 0; done < rows; done += batch.size()) {
            if (w.write_batch(batch, {}, {}, 1, err) != store::Rc::kOk) {
                std::fprintf(stderr, "store_bench: %s\n", err.c_str());
                return 1;
            }
        }
        writer_rps = static_cast<double>(rows) / (now_s() - t0);
        db_bytes = w.used_bytes();

        // 3. Retention of everything (stored at t=1, policy 30 days, now = far future).
        // Paced like the store thread does it (a step per second there; back to back here).
        store::RetentionPacer pacer{store::RetentionPolicy{}};
        const double r0 = now_s();
        int64_t deleted = 0;
        uint64_t pages = 0;
        for (;;) {
            const double s0 = now_s();
            const int64_t d = w.retention_step(int64_t{400} * 86400, pacer.next(), &pages);
            const double ms = (now_s() - s0) * 1e3;
            pacer.took(ms);
            retention_max_ms = std::max(retention_max_ms, ms);
            ++retention_steps;
            deleted += d;
            if (d == 0 && w.db().query_int("PRAGMA freelist_count") == 0) break;
        }
        const double secs = now_s() - r0;
        retention_rps = static_cast<double>(deleted) / secs;
        vacuum_rps = static_cast<double>(pages) / secs;
    }

    // 1b. Alerts and devices: upserts with their JSON columns, 1000 per transaction.
    double alert_rps = 0, device_rps = 0;
    {
        store::StoreWriter w(base + "/entities.db", registry);
        std::string err;
        const uint64_t n = std::max<uint64_t>(1000, rows / 4);
        std::vector<store::AlertChange> alerts(1000);
        double t0 = now_s();
        for (int pass = 0; pass < 2; ++pass) {  // pass 0 opens the episodes, pass 1 updates them
            for (uint64_t done = 0; done < n; done += alerts.size()) {
                for (size_t i = 0; i < alerts.size(); ++i) alerts[i] = make_alert(done + i + 1, pass);
                if (w.write_entities({}, alerts, {}, 1, err) != store::Rc::kOk) {
                    std::fprintf(stderr, "store_bench: %s\n", err.c_str());
                    return 1;
                }
            }
        }
        alert_rps = static_cast<double>(2 * n) / (now_s() - t0);
        std::vector<devices::Device> devs(1000);
        t0 = now_s();
        for (uint64_t done = 0; done < n; done += devs.size()) {
            for (size_t i = 0; i < devs.size(); ++i) devs[i] = make_device(done + i);
            if (w.write_entities(devs, {}, {}, 1, err) != store::Rc::kOk) {
                std::fprintf(stderr, "store_bench: %s\n", err.c_str());
                return 1;
            }
        }
        device_rps = static_cast<double>(n) / (now_s() - t0);
    }

    // 2. StoreThread end to end (queue holds everything: measures the writer side only).
    double thread_rps = 0, thread_max_step_ms = 0;
    {
        store::StoreOptions o;
        o.data_dir = base + "/thread";
        fs::create_directories(o.data_dir);
        o.queue_records = static_cast<uint32_t>(rows);
        o.registry = registry;
        store::StoreThread st(o);
        st.start();
        const double t0 = now_s();
        for (uint64_t i = 0; i < rows; ++i) st.on_flow(batch[i % batch.size()]);
        st.stop();
        thread_rps = static_cast<double>(st.counters().flows_written.get()) / (now_s() - t0);
        thread_max_step_ms = static_cast<double>(st.counters().max_step_us.get()) / 1e3;
    }

    // 4. Pipeline with storage off and on.
    std::string pipe_json = "null";
    if (!file.empty()) {
        // Interleaved pairs, alternating which runs first, so load from other processes hits
        // both sides alike; the figure is the median of the per-pair ratios.
        const auto mpps = [](const Pipeline& p) {
            return static_cast<double>(p.summary.packets) / p.capture_seconds / 1e6;
        };
        std::vector<Pipeline> offs, ons;
        std::vector<double> ratios, cpu_ratios;
        for (int i = 0; i < repeat; ++i) {
            Pipeline a, b;
            std::string error;
            const std::string dir = base + "/pipe" + std::to_string(i);
            const bool ok = i % 2 == 0
                                ? run_pipeline(file, workers, "", a, error) && run_pipeline(file, workers, dir, b, error)
                                : run_pipeline(file, workers, dir, b, error) && run_pipeline(file, workers, "", a, error);
            if (!ok) {
                std::fprintf(stderr, "store_bench: %s\n", error.c_str());
                return 1;
            }
            ratios.push_back(mpps(b) / mpps(a));
            cpu_ratios.push_back(b.cpu_seconds / a.cpu_seconds);
            offs.push_back(a);
            ons.push_back(b);
            fs::remove_all(dir);
        }
        const auto median = [](std::vector<double> v) {
            std::sort(v.begin(), v.end());
            const size_t n = v.size();
            return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        };
        std::vector<double> off_mpps, on_mpps, off_cpu, on_cpu;
        for (const auto& p : offs) off_mpps.push_back(mpps(p)), off_cpu.push_back(p.cpu_seconds);
        for (const auto& p : ons) on_mpps.push_back(mpps(p)), on_cpu.push_back(p.cpu_seconds);
        std::string all = "[";
        for (size_t i = 0; i < ratios.size(); ++i) {
            char r[64];
            std::snprintf(r, sizeof r, "%s%.3f", i ? ", " : "", ratios[i]);
            all += r;
        }
        all += "]";
        const Pipeline& on = ons.back();
        // Packet-path throughput: until the capture has read the file (the capture waits for
        // ring space in a replay, so this is the workers' pace).
        char buf[1536];
        std::snprintf(buf, sizeof buf,
                      "{\"file\": \"%s\", \"workers\": %u, \"packets\": %llu, \"flows\": %llu, \"pairs\": %d, "
                      "\"off\": {\"median_mpps\": %.3f, \"median_cpu_s\": %.3f}, "
                      "\"on\": {\"median_mpps\": %.3f, \"median_cpu_s\": %.3f, \"flows_stored\": %llu, "
                      "\"store_dropped\": %llu, \"total_seconds\": %.3f}, \"on_vs_off_ratios\": %s, "
                      "\"on_vs_off_median\": %.3f, \"cpu_on_vs_off_median\": %.3f}",
                      file.c_str(), workers, static_cast<unsigned long long>(on.summary.packets),
                      static_cast<unsigned long long>(on.summary.flows), repeat, median(off_mpps), median(off_cpu), median(on_mpps),
                      median(on_cpu),
                      static_cast<unsigned long long>(on.store_flows), static_cast<unsigned long long>(on.store_dropped),
                      on.seconds, all.c_str(), median(ratios), median(cpu_ratios));
        pipe_json = buf;
    }
    fs::remove_all(base);
    std::printf("{\"rows\": %llu, \"writer_rows_per_s\": %.0f, \"db_bytes_per_row\": %.1f, "
                "\"thread_rows_per_s\": %.0f, \"thread_longest_step_ms\": %.2f, "
                "\"alert_upserts_per_s\": %.0f, \"device_upserts_per_s\": %.0f, "
                "\"retention_rows_per_s\": %.0f, \"retention_longest_step_ms\": %.2f, \"retention_steps\": %llu, "
                "\"vacuum_pages_per_s\": %.0f, "
                "\"pipeline\": %s}\n",
                static_cast<unsigned long long>(rows), writer_rps, static_cast<double>(db_bytes) / static_cast<double>(rows),
                thread_rps, thread_max_step_ms, alert_rps, device_rps, retention_rps, retention_max_ms,
                static_cast<unsigned long long>(retention_steps), vacuum_rps, pipe_json.c_str());
    return 0;
}
