// udp_flood: UDP packets to one victim at a high rate that it hardly answers (MITRE
// T1498.001): hping3 --udp --flood, also from random sources or ports. No per-packet work:
// the flows' own counters are charged once a second (and when a flow ends), keyed by
// victim; QUIC, VoIP and DNS are answered on the same flows, a flood is not.
#include "detect/detectors/detectors.hpp"
#include "detect/detectors/flood.hpp"

namespace nms::detect {
namespace {

class Shard final : public ShardDetector {
 public:
    explicit Shard(const DetectorSetup& s) : tables_(s.config.max_keys) {}
    void on_flow_progress(const flow::Flow& f, const FlowProgress& p) noexcept override {
        if (f.key.proto == decode::kIpProtoUdp) tables_.count_flow(f, p);
    }
    std::unique_ptr<DetectorDelta> collect() override { return tables_.drain(); }
    [[nodiscard]] uint64_t evictions() const noexcept override { return tables_.evicted(); }

 private:
    FloodTables tables_;
};

class Global final : public GlobalDetector {
 public:
    explicit Global(const DetectorSetup& s)
        : GlobalDetector(AlertKind::kUdpFlood), win_(s.config.max_keys, s.config.udp_flood.window_s) {}
    void configure(const config::DetectConfig& cfg) override {
        cfg_ = cfg.udp_flood;
        win_.set_window(cfg_.window_s);
    }
    [[nodiscard]] const config::DetectorCommon& common() const noexcept override { return cfg_; }
    void absorb(const DetectorDelta& part, int64_t second) override { win_.absorb(part, second); }

    void evaluate(const DetectView& view, TimestampNs now, AlertSink& sink) override {
        const auto window = static_cast<double>(win_.victims.window_s());
        std::vector<FloodMeasure> hits;
        std::vector<IpAddr> ips;
        win_.victims.for_each(view.second, [&](const HostKey& k, const VictimTally& t) {
            const double rate = static_cast<double>(t.pkts) / window;
            const double replies = t.pkts ? static_cast<double>(t.good) / static_cast<double>(t.pkts) : 1.0;
            if (rate < cfg_.min_pps || replies > cfg_.max_reply_ratio) return;
            hits.push_back({k.ip, t, rate, cfg_.min_pps, window, "udp_pps", "UDP packets"});
            ips.push_back(k.ip);
        });
        if (hits.empty()) return;
        auto sources = top_sources(win_.pairs, view.second, ips);
        for (const auto& h : hits) {
            AlertCandidate c = flood_candidate(h, std::move(sources[h.victim]), cfg_.source_share, now);
            c.evidence.push_back({"replies", static_cast<double>(h.tally.good)});
            c.evidence.push_back({"bytes", static_cast<double>(h.tally.bytes)});
            sink.raise(std::move(c));
        }
    }

 private:
    config::UdpFloodConfig cfg_;
    FloodWindows win_;
};

}  // namespace

DetectorFactory udp_flood_detector() { return {AlertKind::kUdpFlood, &make_shard<Shard>, &make_global<Global>}; }

}  // namespace nms::detect
