// syn_flood: TCP SYNs to one victim at a high rate with few completed handshakes
// (MITRE T1498.001), also from random sources (hping3 --rand-source): the worker keys the
// count by victim (SYNs, completed handshakes, an HLL of sources) and separately by
// (source, victim) to name a dominant attacker. Per packet, only for SYNs and handshake ACKs.
#include "detect/detectors/detectors.hpp"
#include "detect/detectors/flood.hpp"

namespace nms::detect {
namespace {

class Shard final : public ShardDetector {
 public:
    explicit Shard(const DetectorSetup& s) : tables_(s.config.max_keys) {}
    void on_packet(const decode::PacketView& pkt, const flow::Flow* f) noexcept override {
        if (pkt.ip_proto != decode::kIpProtoTcp || !f) return;
        const uint8_t fl = pkt.tcp_flags & (decode::kTcpSyn | decode::kTcpAck | decode::kTcpRst);
        if (fl == decode::kTcpSyn) {
            tables_.count(pkt.src_ip, pkt.dst_ip, 1, pkt.wirelen);
        } else if (fl == decode::kTcpAck && f->tcp_state == flow::TcpState::kEstablished &&
                   f->pkts[flow::kToServer] == 2 && f->dir_of(pkt.swapped) == flow::kToServer) {
            tables_.good(pkt.dst_ip, 1);  // the client's second packet completes the handshake
        }
    }
    std::unique_ptr<DetectorDelta> collect() override { return tables_.drain(); }
    [[nodiscard]] uint64_t evictions() const noexcept override { return tables_.evicted(); }

 private:
    FloodTables tables_;
};

class Global final : public GlobalDetector {
 public:
    explicit Global(const DetectorSetup& s)
        : GlobalDetector(AlertKind::kSynFlood), win_(s.config.max_keys, s.config.syn_flood.window_s) {}
    void configure(const config::DetectConfig& cfg) override {
        cfg_ = cfg.syn_flood;
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
            const double completed = t.pkts ? static_cast<double>(t.good) / static_cast<double>(t.pkts) : 1.0;
            if (rate < cfg_.min_syn_per_s || completed > cfg_.max_completed_ratio) return;
            hits.push_back({k.ip, t, rate, cfg_.min_syn_per_s, window, "syn_per_s", "SYNs"});
            ips.push_back(k.ip);
        });
        if (hits.empty()) return;
        auto sources = top_sources(win_.pairs, view.second, ips);
        for (const auto& h : hits) {
            AlertCandidate c = flood_candidate(h, std::move(sources[h.victim]), cfg_.source_share, now);
            c.evidence.push_back({"completed_handshakes", static_cast<double>(h.tally.good)});
            c.evidence.push_back({"completed_ratio",
                                  static_cast<double>(h.tally.good) / static_cast<double>(h.tally.pkts)});
            sink.raise(std::move(c));
        }
    }

 private:
    config::SynFloodConfig cfg_;
    FloodWindows win_;
};

}  // namespace

DetectorFactory syn_flood_detector() { return {AlertKind::kSynFlood, &make_shard<Shard>, &make_global<Global>}; }

}  // namespace nms::detect
