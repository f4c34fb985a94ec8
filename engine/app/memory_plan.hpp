#pragma once
// MemoryPlan: turns pipeline.memory_budget_mib into the size of every table, so an
// appliance with a fixed memory share states one number. Without a budget each table
// keeps the size of its own key.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config.hpp"

namespace nms::app {

struct MemoryPlan {
    uint32_t ring_bytes = 0;         // per capture->worker channel
    uint32_t dpi_contexts = 0;       // per worker
    uint32_t flows_per_worker = 0;   // flow table capacity per worker (power of two)
    uint32_t evidence_ring_bytes = 0;  // per worker; 0 when evidence is off
    uint64_t total_bytes = 0;        // what the plan reserves in all
    std::string describe() const;
};

// Bytes one tracked flow costs: Flow record + index share + DPI slot map (measured by
// bench_flow_memory: 224.1 B table + 4 B DPI).
inline constexpr size_t kBytesPerFlow = 228;
// One DPI context: two stream buffers plus its bookkeeping.
size_t dpi_context_bytes(const config::DpiConfig& dpi) noexcept;
// A worker's evidence ring may also fill a part buffer of the same size while an alert
// collects, so the plan reserves twice the ring.
inline constexpr size_t kEvidenceCopies = 2;

// `evidence`: whether workers keep evidence rings (the engine keeps none for a plain replay).
MemoryPlan plan_memory(const config::Config& cfg, size_t captures, size_t workers, bool evidence);

}  // namespace nms::app
