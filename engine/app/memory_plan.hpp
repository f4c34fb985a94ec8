#pragma once
// MemoryPlan: turns pipeline.memory_budget_mib into the size of every table, so an
// appliance with a fixed memory share states one number. Without a budget each table
// keeps the size of its own key. Later tables (devices, sketches, evidence ring) take
// their share from here too.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config.hpp"

namespace nms::app {

struct MemoryPlan {
    uint32_t ring_bytes = 0;         // per capture->worker channel
    uint32_t dpi_contexts = 0;       // per worker
    uint32_t flows_per_worker = 0;   // flow table capacity per worker (power of two)
    uint64_t total_bytes = 0;        // what the plan reserves in all
    std::string describe() const;
};

// Bytes one tracked flow costs: Flow record + index share + DPI slot map (measured by
// bench_flow_memory: 224.1 B table + 4 B DPI).
inline constexpr size_t kBytesPerFlow = 228;
// One DPI context: two stream buffers plus its bookkeeping.
size_t dpi_context_bytes(const config::DpiConfig& dpi) noexcept;

MemoryPlan plan_memory(const config::Config& cfg, size_t captures, size_t workers);

}  // namespace nms::app
