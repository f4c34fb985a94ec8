#include "detect/shard_detector_set.hpp"

#include <utility>

namespace nms::detect {

ShardDetectorSet::ShardDetectorSet(std::vector<std::unique_ptr<ShardDetector>> slots, size_t max_pending)
    : slots_(std::move(slots)), max_pending_(std::max<size_t>(max_pending, 1)) {
    for (auto& s : slots_)
        if (s) active_.push_back(s.get());
}

void ShardDetectorSet::charge(const flow::Flow& cf) noexcept {
    // The detect_* marks belong to this set: it is the only writer (on the worker thread).
    auto& f = const_cast<flow::Flow&>(cf);
    FlowProgress p;
    bool moved = false;
    for (unsigned d = 0; d < 2; ++d) {
        const auto b = static_cast<uint32_t>(f.bytes[d]);
        p.bytes[d] = static_cast<uint32_t>(b - f.detect_bytes[d]);  // mod 2^32
        p.pkts[d] = static_cast<uint32_t>(f.pkts[d] - f.detect_pkts[d]);
        f.detect_bytes[d] = b;
        f.detect_pkts[d] = f.pkts[d];
        moved |= p.pkts[d] != 0;
    }
    if (!moved) return;
    for (ShardDetector* d : active_) d->on_flow_progress(f, p);
}

void ShardDetectorSet::on_flow_end(const flow::Flow& flow) noexcept {
    if (active_.empty()) return;
    charge(flow);  // what it moved since the last walk would otherwise be lost
    for (ShardDetector* d : active_) d->on_flow_end(flow);
}

void ShardDetectorSet::security_fact(const dpi::SecurityFact& fact, const decode::PacketView* pkt,
                                     const flow::Flow& flow) noexcept {
    for (ShardDetector* d : active_) d->on_security_fact(fact, pkt, flow);
}

void ShardDetectorSet::collect(flow::FlowTable& flows, TimestampNs next_ts) noexcept {
    if (!active_.empty() && started_) try {
        const TimestampNs since = walked_since_;
        walked_since_ = next_ts;
        flows.for_each_touched_since(since, [this](flow::Flow& f) { charge(f); });
        DetectDelta delta;
        delta.second = second_;
        bool any = false;
        delta.parts.resize(slots_.size());
        for (size_t i = 0; i < slots_.size(); ++i) {
            if (!slots_[i]) continue;
            delta.parts[i] = slots_[i]->collect();
            any |= delta.parts[i] != nullptr;
        }
        if (any) {
            if (pending_.size() >= max_pending_) {
                pending_.erase(pending_.begin());  // the stats thread is far behind: oldest goes
                ++counters_.deltas_dropped;
            }
            pending_.push_back(std::move(delta));
            ++counters_.deltas;
        }
    } catch (const std::bad_alloc&) {
        ++counters_.deltas_dropped;
    }
    if (next_ts != 0) start(next_ts);
}

ShardDetectCounters ShardDetectorSet::counters() const noexcept {
    ShardDetectCounters c = counters_;
    for (const ShardDetector* d : active_) c.table_evictions += d->evictions();
    return c;
}

}  // namespace nms::detect
