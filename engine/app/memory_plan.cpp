#include "app/memory_plan.hpp"

#include <algorithm>
#include <cstdio>

namespace nms::app {
namespace {

uint32_t round_up_pow2(uint64_t v) {
    uint64_t p = 1;
    while (p < v) p <<= 1;
    return static_cast<uint32_t>(std::min<uint64_t>(p, uint64_t{1} << 31));
}

uint32_t round_down_pow2(uint64_t v) {
    uint64_t p = 1;
    while (p * 2 <= v) p <<= 1;
    return static_cast<uint32_t>(std::min<uint64_t>(p, uint64_t{1} << 31));
}

}  // namespace

size_t dpi_context_bytes(const config::DpiConfig& dpi) noexcept { return 2 * size_t{dpi.stream_bytes} + 640; }

MemoryPlan plan_memory(const config::Config& cfg, size_t captures, size_t workers, bool evidence) {
    MemoryPlan p;
    const size_t channels = std::max<size_t>(1, captures * workers);
    workers = std::max<size_t>(1, workers);
    const uint64_t budget = uint64_t{cfg.pipeline.memory_budget_mib} << 20;
    const uint64_t evidence_key = evidence ? uint64_t{cfg.evidence.ring_mib} << 20 : 0;
    if (budget == 0) {
        p.evidence_ring_bytes = static_cast<uint32_t>(evidence_key);
        p.ring_bytes = cfg.pipeline.ring_bytes;
        p.dpi_contexts = cfg.dpi.max_contexts;
        p.flows_per_worker = std::max<uint32_t>(1024, round_up_pow2(cfg.flow.max_flows / workers));
    } else {
        // Rings up to 25%, DPI up to 10%, evidence up to 5%, flows the rest; a table never grows
        // past its own key.
        const uint64_t evidence_share = budget / 20 / workers / kEvidenceCopies;
        p.evidence_ring_bytes = static_cast<uint32_t>(std::min(evidence_key, std::max<uint64_t>(evidence_share, 1u << 20)));
        const uint64_t ring_share = budget / 4 / channels;
        p.ring_bytes = static_cast<uint32_t>(std::clamp<uint64_t>(ring_share, 1u << 20, cfg.pipeline.ring_bytes));
        const uint64_t dpi_share = budget / 10 / workers / dpi_context_bytes(cfg.dpi);
        p.dpi_contexts = static_cast<uint32_t>(std::clamp<uint64_t>(dpi_share, 16, cfg.dpi.max_contexts));
        const uint64_t used = uint64_t{p.ring_bytes} * channels +
                              uint64_t{p.dpi_contexts} * workers * dpi_context_bytes(cfg.dpi) +
                              uint64_t{p.evidence_ring_bytes} * workers * kEvidenceCopies;
        const uint64_t left = budget > used ? budget - used : 0;
        p.flows_per_worker = std::max<uint32_t>(1024, round_down_pow2(left / workers / kBytesPerFlow));
    }
    p.total_bytes = uint64_t{p.ring_bytes} * channels + uint64_t{p.dpi_contexts} * workers * dpi_context_bytes(cfg.dpi) +
                    uint64_t{p.flows_per_worker} * workers * kBytesPerFlow +
                    uint64_t{p.evidence_ring_bytes} * workers * kEvidenceCopies;
    return p;
}

std::string MemoryPlan::describe() const {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "memory plan: %u B per ring, %u DPI contexts, %u flows and %u B of evidence ring per worker, "
                  "%.1f MiB in all",
                  ring_bytes, dpi_contexts, flows_per_worker, evidence_ring_bytes, static_cast<double>(total_bytes) / (1 << 20));
    return buf;
}

}  // namespace nms::app
