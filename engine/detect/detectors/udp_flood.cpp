// udp_flood: UDP packets to one victim at a high rate that it hardly answers (MITRE
// T1498.001): hping3 --udp --flood, also from random sources or ports. No per-packet work:
// the flows' own counters are charged once a second (and when a flow ends), keyed by
// victim; QUIC, VoIP and DNS are answered on the same flows, a flood is not.
#include "detect/detectors/detectors.hpp"
#include "detect/detectors/flood.hpp"

namespace nms::detect {
namespace {

class Shard final : public FloodShard {
 public:
    using FloodShard::FloodShard;
    [[nodiscard]] uint8_t hooks() const noexcept override { return kFlowProgress; }
    void on_flow_progress(const flow::Flow& f, const FlowProgress& p) noexcept override {
        if (f.key.proto == decode::kIpProtoUdp) tables_.count_flow(f, p);
    }
};

class Global final : public FloodGlobal<config::UdpFloodConfig, &config::DetectConfig::udp_flood> {
 public:
    explicit Global(const DetectorSetup& s) : FloodGlobal(AlertKind::kUdpFlood, s) {}

    void evaluate(const DetectView& view, TimestampNs now, AlertSink& sink) override {
        for (auto& h : find_floods(win_, view.second, cfg_.min_pps, cfg_.max_reply_ratio, "udp_pps", "UDP packets")) {
            AlertCandidate c = flood_candidate(h.measure, std::move(h.sources), cfg_.source_share, now);
            c.evidence.push_back({"replies", static_cast<double>(h.measure.tally.good)});
            c.evidence.push_back({"bytes", static_cast<double>(h.measure.tally.bytes)});
            sink.raise(std::move(c));
        }
    }
};

}  // namespace

DetectorFactory udp_flood_detector() { return {AlertKind::kUdpFlood, &make_shard<Shard>, &make_global<Global>}; }

}  // namespace nms::detect
