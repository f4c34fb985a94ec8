#pragma once
// EvidenceRecorder: the AlertListener that asks for evidence. When an alert opens, it asks
// every worker's collector for the packets of the alert's source (its victim when it has no
// source) from before_s before the episode began to after_s after the alert opened, in
// packet time. Runs on the stats thread; never blocks (a full inbox drops the request, counted).
#include <atomic>
#include <vector>

#include "detect/alert.hpp"
#include <algorithm>

#include "evidence/evidence_collector.hpp"

namespace nms::evidence {

class EvidenceRecorder final : public detect::AlertListener {
 public:
    EvidenceRecorder(std::vector<EvidenceCollector*> collectors, uint32_t before_s, uint32_t after_s)
        : collectors_(std::move(collectors)), before_ns_(uint64_t{before_s} * kNsPerSec),
          after_ns_(uint64_t{after_s} * kNsPerSec) {}

    void on_alert(const detect::Alert& alert, detect::AlertPhase phase) noexcept override;

    [[nodiscard]] uint64_t requested() const noexcept { return requested_.load(std::memory_order_relaxed); }
    [[nodiscard]] uint64_t dropped() const noexcept { return dropped_.load(std::memory_order_relaxed); }

 private:
    std::vector<EvidenceCollector*> collectors_;
    uint64_t before_ns_;
    uint64_t after_ns_;
    std::atomic<uint64_t> requested_{0};
    std::atomic<uint64_t> dropped_{0};
};

}  // namespace nms::evidence
