// port_scan_vertical: one source probing many ports of one host (MITRE T1046).
// Worker: per (source, target) pair, an HLL of probed ports, probes and answers -- only for
// connection-opening packets. Stats: a sliding window per pair; an alert when the distinct
// ports reach min_ports and the host accepted at most max_answered_ratio of the probes.
#include <cstdio>

#include "detect/detect_keys.hpp"
#include "detect/detectors/detectors.hpp"
#include "detect/detectors/probe.hpp"
#include "detect/table_delta.hpp"
#include "detect/windowed_global.hpp"

namespace nms::detect {
namespace {

using Tally = ProbeTally<uint16_t, 12>;  // samples: ports

class Shard final : public ShardDetector {
 public:
    explicit Shard(const DetectorSetup& s) : table_(s.config.max_keys) {}
    [[nodiscard]] uint8_t hooks() const noexcept override { return kPackets; }
    void on_packet(const decode::PacketView& pkt, const flow::Flow* flow) noexcept override {
        const Probe p = classify_probe(pkt, flow);
        if (p.kind == ProbeKind::kNone || p.port == 0) return;
        Tally& t = table_.upsert(PairKey{*p.prober, *p.target});
        if (p.kind == ProbeKind::kProbe) {
            ++t.probes;
            t.distinct.add(uint64_t{p.port} | (uint64_t{p.proto} << 16));
            t.add_sample(p.port);
        } else {
            ++t.answered;
        }
    }
    std::unique_ptr<DetectorDelta> collect() override { return drain_table(table_); }
    [[nodiscard]] uint64_t evictions() const noexcept override { return table_.evicted(); }

 private:
    ShardTable<PairKey, Tally> table_;
};

class Global final
    : public WindowedGlobal<PairKey, Tally, config::PortScanVerticalConfig, &config::DetectConfig::port_scan_vertical> {
 public:
    explicit Global(const DetectorSetup& s) : WindowedGlobal(AlertKind::kPortScanVertical, s) {}

    void evaluate(const DetectView& view, TimestampNs now, AlertSink& sink) override {
        window_.for_each(view.second, [&](const PairKey& k, const Tally& t) {
            const uint64_t ports = t.distinct.count();
            if (t.probes == 0 || ports < cfg_.min_ports || t.answered_ratio() > cfg_.max_answered_ratio) return;
            AlertCandidate c;
            c.ts = now;
            c.has_src = true;
            c.src = k.a;
            c.has_victim = true;
            c.victim = k.b;
            c.victim_count = 1;
            c.top_peers.push_back({k.b, t.probes});
            auto& e = c.explanation;
            e.metric = "distinct_dst_ports";
            e.value = static_cast<double>(ports);
            e.threshold = cfg_.min_ports;
            e.window_s = static_cast<double>(window_.window_s());
            char text[256];
            std::snprintf(text, sizeof text, "%s probed %llu distinct ports on %s in %llds (threshold %u); %.0f%% answered",
                          k.a.to_string().c_str(), static_cast<unsigned long long>(ports), k.b.to_string().c_str(),
                          static_cast<long long>(window_.window_s()), cfg_.min_ports, 100 * t.answered_ratio());
            e.text = text;
            std::vector<std::string> sample;
            for (uint8_t i = 0; i < t.n_samples; ++i) sample.push_back(std::to_string(t.samples[i]));
            c.evidence.push_back({"probes", static_cast<double>(t.probes)});
            c.evidence.push_back({"answered", static_cast<double>(t.answered)});
            c.evidence.push_back({"sample_ports", std::move(sample)});
            sink.raise(std::move(c));
        }, cfg_.min_ports);  // distinct ports <= probes
    }
};

}  // namespace

DetectorFactory port_scan_vertical_detector() {
    return {AlertKind::kPortScanVertical, &make_shard<Shard>, &make_global<Global>};
}

}  // namespace nms::detect
