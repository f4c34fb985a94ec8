// icmp_flood: ICMP echo requests to one victim at a high rate (MITRE T1498.001): ping -f,
// hping3 --icmp --flood, also from random sources. Keyed by victim like syn_flood; per
// packet, only for ICMP echo requests and replies.
#include "detect/detectors/detectors.hpp"
#include "detect/detectors/flood.hpp"

namespace nms::detect {
namespace {

class Shard final : public ShardDetector {
 public:
    explicit Shard(const DetectorSetup& s) : tables_(s.config.max_keys) {}
    void on_packet(const decode::PacketView& pkt, const flow::Flow* f) noexcept override {
        (void)f;
        const bool v4 = pkt.ip_proto == decode::kIpProtoIcmp;
        if (!v4 && pkt.ip_proto != decode::kIpProtoIcmpv6) return;
        if (pkt.icmp_type == (v4 ? 8 : 128)) tables_.count(pkt.src_ip, pkt.dst_ip, 1, pkt.wirelen);
        else if (pkt.icmp_type == (v4 ? 0 : 129)) tables_.good(pkt.src_ip, 1);  // the victim answered
    }
    std::unique_ptr<DetectorDelta> collect() override { return tables_.drain(); }
    [[nodiscard]] uint64_t evictions() const noexcept override { return tables_.evicted(); }

 private:
    FloodTables tables_;
};

class Global final : public GlobalDetector {
 public:
    explicit Global(const DetectorSetup& s)
        : GlobalDetector(AlertKind::kIcmpFlood), win_(s.config.max_keys, s.config.icmp_flood.window_s) {}
    void configure(const config::DetectConfig& cfg) override {
        cfg_ = cfg.icmp_flood;
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
            if (rate < cfg_.min_pps) return;
            hits.push_back({k.ip, t, rate, cfg_.min_pps, window, "icmp_echo_per_s", "ICMP echo requests"});
            ips.push_back(k.ip);
        });
        if (hits.empty()) return;
        auto sources = top_sources(win_.pairs, view.second, ips);
        for (const auto& h : hits) {
            AlertCandidate c = flood_candidate(h, std::move(sources[h.victim]), cfg_.source_share, now);
            c.evidence.push_back({"echo_replies", static_cast<double>(h.tally.good)});
            c.evidence.push_back({"bytes", static_cast<double>(h.tally.bytes)});
            sink.raise(std::move(c));
        }
    }

 private:
    config::IcmpFloodConfig cfg_;
    FloodWindows win_;
};

}  // namespace

DetectorFactory icmp_flood_detector() { return {AlertKind::kIcmpFlood, &make_shard<Shard>, &make_global<Global>}; }

}  // namespace nms::detect
