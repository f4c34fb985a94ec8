#include "config/thread_plan.hpp"

#include <algorithm>

namespace nms::config {

ThreadPlan plan_threads(const Config& cfg, const std::vector<int>& online_cpus) {
    ThreadPlan p;
    const bool single_source = !cfg.capture.pcap_file.empty() || cfg.demo;
    p.interfaces = single_source ? 0 : static_cast<uint32_t>(cfg.capture.interfaces.size());
    const bool afpacket = cfg.capture.method == CaptureMethod::kAfPacket;
    const uint32_t members = afpacket ? std::max<uint32_t>(1, cfg.capture.threads_per_interface) : 1;
    p.capture_threads = single_source ? 1 : std::max<uint32_t>(1, p.interfaces * members);
    p.workers_auto = cfg.pipeline.workers == 0;
    if (p.workers_auto) {
        const auto cpus = static_cast<uint32_t>(std::max<size_t>(1, online_cpus.size()));
        p.workers = cpus > p.capture_threads ? cpus - p.capture_threads : 1;
    } else {
        p.workers = cfg.pipeline.workers;
    }
    p.capture_cpus.assign(p.capture_threads, -1);
    p.worker_cpus.assign(p.workers, -1);
    const auto& cc = cfg.capture.cpus;
    const auto& wc = cfg.pipeline.worker_cpus;
    for (size_t i = 0; i < p.capture_cpus.size() && !cc.empty(); ++i) p.capture_cpus[i] = cc[i % cc.size()];
    for (size_t i = 0; i < p.worker_cpus.size() && !wc.empty(); ++i) p.worker_cpus[i] = wc[i % wc.size()];
    if (cc.empty() && wc.empty() && online_cpus.size() >= size_t{p.capture_threads} + p.workers) {
        p.auto_pinned = true;
        for (size_t i = 0; i < p.capture_cpus.size(); ++i) p.capture_cpus[i] = online_cpus[i];
        for (size_t i = 0; i < p.worker_cpus.size(); ++i) p.worker_cpus[i] = online_cpus[p.capture_threads + i];
    }
    return p;
}

}  // namespace nms::config
