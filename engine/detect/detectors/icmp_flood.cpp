// icmp_flood: ICMP echo requests to one victim at a high rate (MITRE T1498.001): ping -f,
// hping3 --icmp --flood, also from random sources. Keyed by victim like syn_flood; per
// packet, only for ICMP echo requests and replies.
#include "detect/detectors/detectors.hpp"
#include "detect/detectors/flood.hpp"

namespace nms::detect {
namespace {

class Shard final : public FloodShard {
 public:
    using FloodShard::FloodShard;
    [[nodiscard]] uint8_t hooks() const noexcept override { return kPackets; }
    void on_packet(const decode::PacketView& pkt, const flow::Flow* f) noexcept override {
        (void)f;
        const bool v4 = pkt.ip_proto == decode::kIpProtoIcmp;
        if (!v4 && pkt.ip_proto != decode::kIpProtoIcmpv6) return;
        if (pkt.icmp_type == (v4 ? 8 : 128)) tables_.count(pkt.src_ip, pkt.dst_ip, 1, pkt.wirelen);
        else if (pkt.icmp_type == (v4 ? 0 : 129)) tables_.good(pkt.src_ip, 1);  // the victim answered
    }
};

class Global final : public FloodGlobal<config::IcmpFloodConfig, &config::DetectConfig::icmp_flood> {
 public:
    explicit Global(const DetectorSetup& s) : FloodGlobal(AlertKind::kIcmpFlood, s) {}

    void evaluate(const DetectView& view, TimestampNs now, AlertSink& sink) override {
        for (auto& h : find_floods(win_, view.second, cfg_.min_pps, kAnyGoodRatio, "icmp_echo_per_s", "ICMP echo requests")) {
            AlertCandidate c = flood_candidate(h.measure, std::move(h.sources), cfg_.source_share, now);
            c.evidence.push_back({"echo_replies", static_cast<double>(h.measure.tally.good)});
            c.evidence.push_back({"bytes", static_cast<double>(h.measure.tally.bytes)});
            sink.raise(std::move(c));
        }
    }
};

}  // namespace

DetectorFactory icmp_flood_detector() { return {AlertKind::kIcmpFlood, &make_shard<Shard>, &make_global<Global>}; }

}  // namespace nms::detect
