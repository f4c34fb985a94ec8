// bench_pipeline: offline throughput of the whole engine (capture thread -> workers -> output)
// on one capture file, for 1 and 2 workers, next to the bare libpcap walk of the same file
// measured in the same run (the ceiling; see pcap_walk.hpp).
//
//   bench_pipeline FILE [--repeat R] [--workers 1,2] [--eve PATH] [--no-dpi] [--no-detect] [--evidence DIR]
// --no-dpi runs the same pipeline with [dpi] enabled = false: the cost of DPI is the ratio.
// --no-detect runs it with [detect] enabled = false: the cost of detection is the ratio.
// --evidence DIR turns the evidence rings on (as live capture has them; a replay has them only
// with a data directory): every packet is also copied into its worker's ring.
//
// Each run times Engine::start() to the end of Engine::shutdown() (the flow flush and the
// output drain included); open() (allocation of rings and flow tables) is not timed. Prints
// one JSON object: best and median of R runs per worker count, the walk's best, and the ratio.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "app/engine.hpp"
#include "common/log.hpp"
#include "config/config.hpp"

#include "pcap_walk.hpp"

namespace {

struct RunResult {
    double seconds = 0;
    double cpu_seconds = 0;   // user + system CPU of the whole process over the same span
    nms::app::RunSummary summary;
};

struct Options {
    std::string file;
    int repeat = 3;
    std::vector<uint32_t> workers{1, 2};
    std::string eve;
    bool dpi = true;
    bool detect = true;
    std::string evidence_dir;  // non-empty: evidence rings on, files under DIR/evidence
};

std::string json_escape(const std::string& s) {
    std::string out;
    for (const char c : s) {
        if (c == '"' || c == '\\') out.push_back('\\');
        if (static_cast<unsigned char>(c) < 0x20) continue;
        out.push_back(c);
    }
    return out;
}

// CPU time of this process so far: on a shared, loaded machine the work a run does shows in
// its CPU seconds far more steadily than in its wall time.
double process_cpu_s() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

bool run_once(const Options& o, uint32_t workers, RunResult& out, std::string& error) {
    nms::config::Config cfg;
    cfg.capture.pcap_file = o.file;
    cfg.pipeline.workers = workers;
    cfg.output.eve_path = o.eve;
    cfg.api.enabled = false;
    cfg.dpi.enabled = o.dpi;
    cfg.detect.enabled = o.detect;
    if (!o.evidence_dir.empty()) {
        cfg.storage.enabled = false;
        cfg.storage.data_dir = o.evidence_dir;
        cfg.storage.data_dir_from_cli = true;
    }
    nms::app::Engine engine(cfg);
    if (auto err = engine.open()) {
        error = *err;
        return false;
    }
    const double t0 = nms::bench::bench_now_s();
    const double c0 = process_cpu_s();
    engine.start();
    // A benchmark may poll: 200 us is well under a run's length and costs no measurable CPU.
    while (!engine.captures_finished()) std::this_thread::sleep_for(std::chrono::microseconds(200));
    out.summary = engine.shutdown();
    out.seconds = nms::bench::bench_now_s() - t0;
    out.cpu_seconds = process_cpu_s() - c0;
    if (!out.summary.capture_errors.empty()) {
        error = out.summary.capture_errors;
        return false;
    }
    return true;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

bool parse(int argc, char** argv, Options& o) {
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool has_val = i + 1 < argc;
        if (a == "--repeat" && has_val) {
            o.repeat = std::atoi(argv[++i]);
        } else if (a == "--evidence" && i + 1 < argc) {
            o.evidence_dir = argv[++i];
        } else if (a == "--no-dpi") {
            o.dpi = false;
        } else if (a == "--no-detect") {
            o.detect = false;
        } else if (a == "--eve" && has_val) {
            o.eve = argv[++i];
        } else if (a == "--workers" && has_val) {
            o.workers.clear();
            const std::string list = argv[++i];
            size_t pos = 0;
            while (pos <= list.size()) {
                const size_t comma = std::min(list.find(',', pos), list.size());
                const long w = std::strtol(list.substr(pos, comma - pos).c_str(), nullptr, 10);
                if (w < 1 || w > 64) return false;
                o.workers.push_back(static_cast<uint32_t>(w));
                pos = comma + 1;
            }
        } else if (o.file.empty() && !a.empty() && a[0] != '-') {
            o.file = a;
        } else {
            return false;
        }
    }
    return !o.file.empty() && o.repeat >= 1 && !o.workers.empty();
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    if (!parse(argc, argv, o)) {
        std::fprintf(stderr, "usage: bench_pipeline FILE [--repeat R] [--workers 1,2] [--eve PATH] [--no-dpi] [--no-detect] [--evidence DIR]\n");
        return 2;
    }
    nms::log::set_level(nms::log::Level::kWarn);

    // The walk first also warms the page cache for the engine runs.
    nms::bench::PcapWalkResult walk;
    for (int i = 0; i < o.repeat; ++i) {
        auto r = nms::bench::pcap_walk(o.file);
        if (!r.error.empty()) {
            std::fprintf(stderr, "bench_pipeline: %s: %s\n", o.file.c_str(), r.error.c_str());
            return 1;
        }
        if (i == 0 || r.seconds < walk.seconds) walk = r;
    }

    std::string runs_json;
    std::string ratio_json;
    uint64_t flows = 0;
    bool counts_ok = true;
    for (const uint32_t w : o.workers) {
        std::vector<double> secs, cpus;
        RunResult best;
        for (int i = 0; i < o.repeat; ++i) {
            RunResult r;
            std::string error;
            if (!run_once(o, w, r, error)) {
                std::fprintf(stderr, "bench_pipeline: %u worker(s): %s\n", w, error.c_str());
                return 1;
            }
            if (r.summary.packets != walk.packets || r.summary.drops != 0) counts_ok = false;
            secs.push_back(r.seconds);
            cpus.push_back(r.cpu_seconds);
            if (i == 0 || r.seconds < best.seconds) best = r;
        }
        flows = best.summary.flows;
        const double pkts = static_cast<double>(best.summary.packets);
        const double med = median(secs);
        const double mpps = pkts / best.seconds / 1e6;
        char buf[768];
        std::snprintf(buf, sizeof buf,
                      "%s{\"workers\": %u, \"mpps\": %.3f, \"ns_per_packet\": %.1f, \"seconds\": %.6f, "
                      "\"median_mpps\": %.3f, \"median_seconds\": %.6f, \"packets\": %llu, \"flows\": %llu, "
                      "\"invalid\": %llu, \"drops\": %llu, \"median_cpu_seconds\": %.6f, "
                      "\"median_cpu_ns_per_packet\": %.1f}",
                      runs_json.empty() ? "" : ", ", w, mpps, best.seconds * 1e9 / pkts, best.seconds,
                      pkts / med / 1e6, med, static_cast<unsigned long long>(best.summary.packets),
                      static_cast<unsigned long long>(best.summary.flows),
                      static_cast<unsigned long long>(best.summary.invalid),
                      static_cast<unsigned long long>(best.summary.drops), median(cpus),
                      median(cpus) * 1e9 / pkts);
        runs_json += buf;
        std::snprintf(buf, sizeof buf, "%s\"%u\": %.3f", ratio_json.empty() ? "" : ", ", w,
                      walk.mpps() > 0 ? mpps / walk.mpps() : 0.0);
        ratio_json += buf;
    }
    std::printf("{\"file\": \"%s\", \"packets\": %llu, \"bytes\": %llu, \"flows\": %llu, \"repeat\": %d, "
                "\"eve\": \"%s\", \"dpi\": %s, \"detect\": %s, \"evidence\": %s, \"counts_match_walk\": %s, \"runs\": [%s], "
                "\"pcap_walk\": {\"mpps\": %.3f, \"ns_per_packet\": %.1f, \"seconds\": %.6f}, "
                "\"ratio_vs_walk\": {%s}}\n",
                json_escape(o.file).c_str(), static_cast<unsigned long long>(walk.packets),
                static_cast<unsigned long long>(walk.bytes), static_cast<unsigned long long>(flows), o.repeat,
                json_escape(o.eve).c_str(), o.dpi ? "true" : "false", o.detect ? "true" : "false", o.evidence_dir.empty() ? "false" : "true", counts_ok ? "true" : "false", runs_json.c_str(), walk.mpps(),
                walk.ns_per_packet(), walk.seconds, ratio_json.c_str());
    return counts_ok ? 0 : 3;
}
