#include "evidence/evidence_recorder.hpp"

namespace nms::evidence {

void EvidenceRecorder::on_alert(const detect::Alert& alert, detect::AlertPhase phase) noexcept {
    if (phase != detect::AlertPhase::kOpened || collectors_.empty()) return;
    if (!alert.has_src && !alert.has_victim) return;
    EvidenceRequest req;
    req.alert_id = alert.id;
    req.host = alert.has_src ? alert.src : alert.victim;
    req.since = alert.first_seen > before_ns_ ? alert.first_seen - before_ns_ : 0;
    req.until = std::max(alert.last_seen, alert.first_seen) + after_ns_;
    req.parts = static_cast<uint32_t>(collectors_.size());
    // All or nothing, so the writer can wait for exactly `parts` answers. This thread is the
    // only producer, so room seen now is still there when pushing.
    for (EvidenceCollector* c : collectors_) {
        if (!c->has_room()) {
            dropped_.fetch_add(1, std::memory_order_relaxed);
            return;
        }
    }
    for (EvidenceCollector* c : collectors_) c->request(req);
    requested_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace nms::evidence
