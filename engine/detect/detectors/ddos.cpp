// ddos: one victim receiving a flood it does not answer, either from many sources
// (min_sources distinct senders) or dominated by one (dominant_share of its packets)
// (MITRE T1499). Any protocol; no per-packet work: the flows' own counters are charged once
// a second (and when a flow ends), keyed by victim, with (source, victim) counts alongside.
#include "detect/detectors/detectors.hpp"
#include "detect/detectors/flood.hpp"

namespace nms::detect {
namespace {

class Shard final : public ShardDetector {
 public:
    explicit Shard(const DetectorSetup& s) : tables_(s.config.max_keys) {}
    void on_flow_progress(const flow::Flow& f, const FlowProgress& p) noexcept override { tables_.count_flow(f, p); }
    std::unique_ptr<DetectorDelta> collect() override { return tables_.drain(); }
    [[nodiscard]] uint64_t evictions() const noexcept override { return tables_.evicted(); }

 private:
    FloodTables tables_;
};

class Global final : public GlobalDetector {
 public:
    explicit Global(const DetectorSetup& s)
        : GlobalDetector(AlertKind::kDdos), win_(s.config.max_keys, s.config.ddos.window_s) {}
    void configure(const config::DetectConfig& cfg) override {
        cfg_ = cfg.ddos;
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
            hits.push_back({k.ip, t, rate, cfg_.min_pps, window, "pps_in", "packets"});
            ips.push_back(k.ip);
        });
        if (hits.empty()) return;
        auto sources = top_sources(win_.pairs, view.second, ips);
        for (const auto& h : hits) {
            auto& list = sources[h.victim];
            const uint64_t distinct = h.tally.sources.count();
            const double share = list.empty() ? 0.0
                                              : static_cast<double>(list.front().count) / static_cast<double>(h.tally.pkts);
            if (distinct < cfg_.min_sources && share < cfg_.dominant_share) continue;  // neither many nor one dominant
            AlertCandidate c = flood_candidate(h, std::move(list), cfg_.dominant_share, now);
            c.evidence.push_back({"replies", static_cast<double>(h.tally.good)});
            c.evidence.push_back({"bytes", static_cast<double>(h.tally.bytes)});
            c.evidence.push_back({"pattern", std::string(c.has_src ? "one dominant source" : "many sources")});
            sink.raise(std::move(c));
        }
    }

 private:
    config::DdosConfig cfg_;
    FloodWindows win_;
};

}  // namespace

DetectorFactory ddos_detector() { return {AlertKind::kDdos, &make_shard<Shard>, &make_global<Global>}; }

}  // namespace nms::detect
