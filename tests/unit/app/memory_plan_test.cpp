#include <catch2/catch.hpp>

#include "app/memory_plan.hpp"

using namespace nms;

TEST_CASE("Without a budget every table keeps its own key", "[app]") {
    config::Config cfg;
    const auto p = app::plan_memory(cfg, 1, 2, true);
    CHECK(p.evidence_ring_bytes == cfg.evidence.ring_mib << 20);
    CHECK(app::plan_memory(cfg, 1, 2, false).evidence_ring_bytes == 0);
    CHECK(p.ring_bytes == cfg.pipeline.ring_bytes);
    CHECK(p.dpi_contexts == cfg.dpi.max_contexts);
    CHECK(p.flows_per_worker == cfg.flow.max_flows / 2);
}

TEST_CASE("A memory budget sizes rings, DPI and flows and stays within it", "[app]") {
    config::Config cfg;
    cfg.flow.max_flows = 1u << 28;  // the budget, not this key, must be the limit
    for (uint32_t mib : {256u, 1024u, 4096u}) {
        cfg.pipeline.memory_budget_mib = mib;
        const auto p = app::plan_memory(cfg, 2, 2, true);
        const uint64_t budget = uint64_t{mib} << 20;
        CHECK(p.total_bytes <= budget);
        CHECK(p.total_bytes > budget / 2);  // and uses most of it
        CHECK(p.ring_bytes >= (1u << 20));
        CHECK(p.evidence_ring_bytes >= (1u << 20));
        CHECK(p.evidence_ring_bytes <= cfg.evidence.ring_mib << 20);
        CHECK((p.flows_per_worker & (p.flows_per_worker - 1)) == 0);
    }
    cfg.pipeline.memory_budget_mib = 1024;
    const auto gib = app::plan_memory(cfg, 1, 1, true);
    // ~4.7M flows per GiB at 228 B each, less rings and DPI: the figure the README quotes.
    CHECK(gib.flows_per_worker >= (1u << 21));
}
