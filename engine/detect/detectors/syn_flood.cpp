// syn_flood: TCP SYNs to one victim at a high rate with few completed handshakes
// (MITRE T1498.001), also from random sources (hping3 --rand-source): the worker keys the
// count by victim (SYNs, completed handshakes, an HLL of sources) and separately by
// (source, victim) to name a dominant attacker. Per packet, only for SYNs and handshake ACKs.
#include "detect/detectors/detectors.hpp"
#include "detect/detectors/flood.hpp"

namespace nms::detect {
namespace {

class Shard final : public FloodShard {
 public:
    using FloodShard::FloodShard;
    [[nodiscard]] uint8_t hooks() const noexcept override { return kPackets | kFlowProgress; }
    void on_packet(const decode::PacketView& pkt, const flow::Flow* f) noexcept override {
        if (pkt.ip_proto != decode::kIpProtoTcp || !f) return;
        if ((pkt.tcp_flags & (decode::kTcpSyn | decode::kTcpAck | decode::kTcpRst)) == decode::kTcpSyn)
            tables_.count(pkt.src_ip, pkt.dst_ip, 1, pkt.wirelen);
    }
    // Completed handshakes are counted from the flow state once a second, not per packet.
    void on_flow_progress(const flow::Flow& f, const FlowProgress& p) noexcept override {
        if (f.key.proto != decode::kIpProtoTcp || (*p.marks & kMarkHandshakeCounted)) return;
        const bool opened = (f.tcp_flags[flow::kToServer] & decode::kTcpSyn) && f.pkts[flow::kToClient] != 0;
        const auto st = f.tcp_state;
        if (opened && (st == flow::TcpState::kEstablished || st == flow::TcpState::kFinWait ||
                       st == flow::TcpState::kClosing || st == flow::TcpState::kClosed)) {
            *p.marks |= kMarkHandshakeCounted;
            tables_.good(f.server_ip(), 1);
        }
    }
};

class Global final : public FloodGlobal<config::SynFloodConfig, &config::DetectConfig::syn_flood> {
 public:
    explicit Global(const DetectorSetup& s) : FloodGlobal(AlertKind::kSynFlood, s) {}

    void evaluate(const DetectView& view, TimestampNs now, AlertSink& sink) override {
        for (auto& h : find_floods(win_, view.second, cfg_.min_syn_per_s, cfg_.max_completed_ratio, "syn_per_s", "SYNs")) {
            const VictimTally& t = h.measure.tally;
            AlertCandidate c = flood_candidate(h.measure, std::move(h.sources), cfg_.source_share, now);
            c.evidence.push_back({"completed_handshakes", static_cast<double>(t.good)});
            c.evidence.push_back({"completed_ratio", static_cast<double>(t.good) / static_cast<double>(t.pkts)});
            sink.raise(std::move(c));
        }
    }
};

}  // namespace

DetectorFactory syn_flood_detector() { return {AlertKind::kSynFlood, &make_shard<Shard>, &make_global<Global>}; }

}  // namespace nms::detect
