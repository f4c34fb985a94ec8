// port_scan_horizontal: one source probing one port on many hosts (MITRE T1046).
// Worker: per (source, port), an HLL of probed hosts, probes and answers. Stats: a sliding
// window per (source, port); an alert when the distinct hosts reach min_hosts and at most
// max_answered_ratio of the probes were accepted (busy clients reach many servers, but
// servers answer).
#include <cstdio>

#include "detect/detect_keys.hpp"
#include "detect/detectors/detectors.hpp"
#include "detect/detectors/probe.hpp"
#include "detect/table_delta.hpp"
#include "detect/windowed_global.hpp"

namespace nms::detect {
namespace {

using Tally = ProbeTally<IpAddr, 4>;  // samples: probed hosts

// ICMP has no port; a sweep of it is host_sweep's.
class Shard final : public ShardDetector {
 public:
    explicit Shard(const DetectorSetup& s) : table_(s.config.max_keys) {}
    [[nodiscard]] uint8_t hooks() const noexcept override { return kPackets; }
    void on_packet(const decode::PacketView& pkt, const flow::Flow* flow) noexcept override {
        const Probe p = classify_probe(pkt, flow);
        if (p.kind == ProbeKind::kNone || p.port == 0) return;
        Tally& t = table_.upsert(HostPortKey{*p.prober, p.port});
        if (p.kind == ProbeKind::kProbe) {
            ++t.probes;
            t.distinct.add_hash(ip_hash(*p.target));
            t.add_sample(*p.target);
        } else {
            ++t.answered;
        }
    }
    std::unique_ptr<DetectorDelta> collect() override { return drain_table(table_); }
    [[nodiscard]] uint64_t evictions() const noexcept override { return table_.evicted(); }

 private:
    ShardTable<HostPortKey, Tally> table_;
};

class Global final
    : public WindowedGlobal<HostPortKey, Tally, config::PortScanHorizontalConfig, &config::DetectConfig::port_scan_horizontal> {
 public:
    explicit Global(const DetectorSetup& s) : WindowedGlobal(AlertKind::kPortScanHorizontal, s) {}

    void evaluate(const DetectView& view, TimestampNs now, AlertSink& sink) override {
        window_.for_each(view.second, [&](const HostPortKey& k, const Tally& t) {
            const uint64_t hosts = t.distinct.count();
            if (t.probes == 0 || hosts < cfg_.min_hosts || t.answered_ratio() > cfg_.max_answered_ratio) return;
            AlertCandidate c;
            c.ts = now;
            c.has_src = true;
            c.src = k.ip;
            c.victim_count = static_cast<uint32_t>(hosts);
            for (uint8_t i = 0; i < t.n_samples; ++i) c.top_peers.push_back({t.samples[i], 1});
            auto& e = c.explanation;
            e.metric = "distinct_dst_hosts";
            e.value = static_cast<double>(hosts);
            e.threshold = cfg_.min_hosts;
            e.window_s = static_cast<double>(window_.window_s());
            char text[256];
            std::snprintf(text, sizeof text, "%s probed port %u on %llu distinct hosts in %llds (threshold %u); %.0f%% answered",
                          k.ip.to_string().c_str(), k.port, static_cast<unsigned long long>(hosts),
                          static_cast<long long>(window_.window_s()), cfg_.min_hosts, 100 * t.answered_ratio());
            e.text = text;
            c.evidence.push_back({"port", static_cast<double>(k.port)});
            c.evidence.push_back({"probes", static_cast<double>(t.probes)});
            c.evidence.push_back({"answered", static_cast<double>(t.answered)});
            sink.raise(std::move(c));
        }, cfg_.min_hosts);  // distinct hosts <= probes
    }
};

}  // namespace

DetectorFactory port_scan_horizontal_detector() {
    return {AlertKind::kPortScanHorizontal, &make_shard<Shard>, &make_global<Global>};
}

}  // namespace nms::detect
