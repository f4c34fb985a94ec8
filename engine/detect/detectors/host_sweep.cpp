// host_sweep: one source probing many hosts of one network (MITRE T1018): ICMP echo or
// timestamp requests, TCP SYNs or UDP datagrams to addresses of one /24 (IPv6: /64), most of
// which never answer. Worker: per (source, network), an HLL of probed hosts, probes and
// answers. Stats: sliding window; an alert at min_hosts distinct hosts of one network.
#include <cstdio>

#include "detect/detect_keys.hpp"
#include "detect/detectors/detectors.hpp"
#include "detect/detectors/probe.hpp"
#include "detect/table_delta.hpp"
#include "detect/windowed_global.hpp"

namespace nms::detect {
namespace {

struct SweepTally {
    ProbeTally<IpAddr, 4> probes;    // samples: probed hosts
    uint32_t icmp = 0, tcp = 0, udp = 0;

    [[nodiscard]] uint64_t weight() const noexcept { return probes.weight(); }
    void merge(const SweepTally& o) noexcept {
        probes.merge(o.probes);
        icmp += o.icmp;
        tcp += o.tcp;
        udp += o.udp;
    }
};

// The /24 (IPv4) or /64 (IPv6) a host belongs to.
IpAddr network_of(const IpAddr& ip) noexcept {
    IpAddr n = ip;
    if (ip.is_v4()) n.bytes[15] = 0;
    else std::fill(n.bytes.begin() + 8, n.bytes.end(), uint8_t{0});
    return n;
}

class Shard final : public ShardDetector {
 public:
    explicit Shard(const DetectorSetup& s) : table_(s.config.max_keys) {}
    [[nodiscard]] uint8_t hooks() const noexcept override { return kPackets; }
    void on_packet(const decode::PacketView& pkt, const flow::Flow* flow) noexcept override {
        const Probe p = classify_probe(pkt, flow);
        if (p.kind == ProbeKind::kNone) return;
        SweepTally& t = table_.upsert(PairKey{*p.prober, network_of(*p.target)});
        if (p.kind == ProbeKind::kAnswer) {
            ++t.probes.answered;
            return;
        }
        ++t.probes.probes;
        t.probes.distinct.add_hash(ip_hash(*p.target));
        t.probes.add_sample(*p.target);
        if (p.proto == decode::kIpProtoTcp) ++t.tcp;
        else if (p.proto == decode::kIpProtoUdp) ++t.udp;
        else ++t.icmp;
    }
    std::unique_ptr<DetectorDelta> collect() override { return drain_table(table_); }
    [[nodiscard]] uint64_t evictions() const noexcept override { return table_.evicted(); }

 private:
    ShardTable<PairKey, SweepTally> table_;
};

class Global final
    : public WindowedGlobal<PairKey, SweepTally, config::HostSweepConfig, &config::DetectConfig::host_sweep> {
 public:
    explicit Global(const DetectorSetup& s) : WindowedGlobal(AlertKind::kHostSweep, s) {}

    void evaluate(const DetectView& view, TimestampNs now, AlertSink& sink) override {
        window_.for_each(view.second, [&](const PairKey& k, const SweepTally& s) {
            const auto& t = s.probes;
            const uint64_t hosts = t.distinct.count();
            if (t.probes == 0 || hosts < cfg_.min_hosts || t.answered_ratio() > cfg_.max_answered_ratio) return;
            AlertCandidate c;
            c.ts = now;
            c.has_src = true;
            c.src = k.a;
            c.victim_count = static_cast<uint32_t>(hosts);
            for (uint8_t i = 0; i < t.n_samples; ++i) c.top_peers.push_back({t.samples[i], 1});
            const std::string net = k.b.to_string() + (k.b.is_v4() ? "/24" : "/64");
            auto& e = c.explanation;
            e.metric = "distinct_hosts_probed";
            e.value = static_cast<double>(hosts);
            e.threshold = cfg_.min_hosts;
            e.window_s = static_cast<double>(window_.window_s());
            char text[256];
            std::snprintf(text, sizeof text, "%s probed %llu hosts of %s in %llds (threshold %u); %.0f%% answered",
                          k.a.to_string().c_str(), static_cast<unsigned long long>(hosts), net.c_str(),
                          static_cast<long long>(window_.window_s()), cfg_.min_hosts, 100 * t.answered_ratio());
            e.text = text;
            c.evidence.push_back({"network", net});
            c.evidence.push_back({"probes", static_cast<double>(t.probes)});
            c.evidence.push_back({"answered", static_cast<double>(t.answered)});
            c.evidence.push_back({"icmp_probes", static_cast<double>(s.icmp)});
            c.evidence.push_back({"tcp_probes", static_cast<double>(s.tcp)});
            c.evidence.push_back({"udp_probes", static_cast<double>(s.udp)});
            sink.raise(std::move(c));
        }, cfg_.min_hosts);  // distinct hosts <= probes
    }
};

}  // namespace

DetectorFactory host_sweep_detector() { return {AlertKind::kHostSweep, &make_shard<Shard>, &make_global<Global>}; }

}  // namespace nms::detect
