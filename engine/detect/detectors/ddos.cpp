// ddos: one victim receiving a flood it does not answer, either from many sources
// (min_sources distinct senders) or dominated by one (dominant_share of its packets)
// (MITRE T1499). Any protocol; no per-packet work: the flows' own counters are charged once
// a second (and when a flow ends), keyed by victim, with (source, victim) counts alongside.
#include "detect/detectors/detectors.hpp"
#include "detect/detectors/flood.hpp"

namespace nms::detect {
namespace {

class Shard final : public FloodShard {
 public:
    using FloodShard::FloodShard;
    [[nodiscard]] uint8_t hooks() const noexcept override { return kFlowProgress; }
    void on_flow_progress(const flow::Flow& f, const FlowProgress& p) noexcept override { tables_.count_flow(f, p); }
};

class Global final : public FloodGlobal<config::DdosConfig, &config::DetectConfig::ddos> {
 public:
    explicit Global(const DetectorSetup& s) : FloodGlobal(AlertKind::kDdos, s) {}

    void evaluate(const DetectView& view, TimestampNs now, AlertSink& sink) override {
        for (auto& h : find_floods(win_, view.second, cfg_.min_pps, cfg_.max_reply_ratio, "pps_in", "packets")) {
            const VictimTally& t = h.measure.tally;
            const uint64_t distinct = t.sources.count();
            const double share =
                h.sources.empty() ? 0.0 : static_cast<double>(h.sources.front().count) / static_cast<double>(t.pkts);
            if (distinct < cfg_.min_sources && share < cfg_.dominant_share) continue;  // neither many nor one dominant
            AlertCandidate c = flood_candidate(h.measure, std::move(h.sources), cfg_.dominant_share, now);
            c.evidence.push_back({"replies", static_cast<double>(t.good)});
            c.evidence.push_back({"bytes", static_cast<double>(t.bytes)});
            c.evidence.push_back({"pattern", std::string(c.has_src ? "one dominant source" : "many sources")});
            sink.raise(std::move(c));
        }
    }
};

}  // namespace

DetectorFactory ddos_detector() { return {AlertKind::kDdos, &make_shard<Shard>, &make_global<Global>}; }

}  // namespace nms::detect
