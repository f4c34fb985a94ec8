// exfiltration: bytes from one internal host (devices.local_networks) to one external host
// over a long window (MITRE T1048). No per-packet work: the flows' own counters are charged
// once a second (and when a flow ends), per (internal sender, external receiver).
#include <cstdio>

#include "detect/detect_keys.hpp"
#include "detect/detectors/detectors.hpp"
#include "detect/table_delta.hpp"
#include "detect/windowed_global.hpp"
#include "devices/local_nets.hpp"

namespace nms::detect {
namespace {

struct Upload {
    uint64_t bytes_out = 0;   // internal -> external
    uint64_t bytes_back = 0;  // external -> internal on the same flows
    uint64_t pkts_out = 0;
    [[nodiscard]] uint64_t weight() const noexcept { return bytes_out; }
    void merge(const Upload& o) noexcept {
        bytes_out += o.bytes_out;
        bytes_back += o.bytes_back;
        pkts_out += o.pkts_out;
    }
};

class Shard final : public ShardDetector {
 public:
    explicit Shard(const DetectorSetup& s) : local_(s.local_nets), table_(s.config.max_keys) {}
    [[nodiscard]] uint8_t hooks() const noexcept override { return kFlowProgress; }
    void on_flow_progress(const flow::Flow& f, const FlowProgress& p) noexcept override {
        if (!local_) return;
        const bool client_in = local_->contains(f.client_ip());
        const bool server_in = local_->contains(f.server_ip());
        if (client_in == server_in) return;  // internal traffic, or transit between outside hosts
        const unsigned out = client_in ? flow::kToServer : flow::kToClient;  // direction leaving the network
        if (p.bytes[out] == 0) return;
        const IpAddr& inside = client_in ? f.client_ip() : f.server_ip();
        const IpAddr& outside = client_in ? f.server_ip() : f.client_ip();
        Upload& u = table_.upsert(PairKey{inside, outside});
        u.bytes_out += p.bytes[out];
        u.bytes_back += p.bytes[1 - out];
        u.pkts_out += p.pkts[out];
    }
    std::unique_ptr<DetectorDelta> collect() override { return drain_table(table_); }
    [[nodiscard]] uint64_t evictions() const noexcept override { return table_.evicted(); }

 private:
    const devices::LocalNets* local_;
    ShardTable<PairKey, Upload> table_;
};

class Global final
    : public WindowedGlobal<PairKey, Upload, config::ExfiltrationConfig, &config::DetectConfig::exfiltration> {
 public:
    explicit Global(const DetectorSetup& s) : WindowedGlobal(AlertKind::kExfiltration, s) {}

    void evaluate(const DetectView& view, TimestampNs now, AlertSink& sink) override {
        const double threshold = cfg_.min_mb * 1e6;
        window_.for_each(view.second, [&](const PairKey& k, const Upload& u) {
            const auto out = static_cast<double>(u.bytes_out);
            if (out < threshold) return;
            AlertCandidate c;
            c.ts = now;
            c.has_src = true;
            c.src = k.a;
            c.has_victim = true;  // the receiving (external) host
            c.victim = k.b;
            c.victim_count = 1;
            c.top_peers.push_back({k.b, u.bytes_out});
            auto& e = c.explanation;
            e.metric = "bytes_out";
            e.value = out;
            e.threshold = threshold;
            e.window_s = static_cast<double>(window_.window_s());
            char text[256];
            std::snprintf(text, sizeof text, "%s sent %.1f MB to external host %s in %llds (threshold %.1f MB); %.1f MB came back",
                          k.a.to_string().c_str(), out / 1e6, k.b.to_string().c_str(),
                          static_cast<long long>(window_.window_s()), cfg_.min_mb, static_cast<double>(u.bytes_back) / 1e6);
            e.text = text;
            c.evidence.push_back({"bytes_out", out});
            c.evidence.push_back({"bytes_back", static_cast<double>(u.bytes_back)});
            c.evidence.push_back({"packets_out", static_cast<double>(u.pkts_out)});
            sink.raise(std::move(c));
        }, static_cast<uint64_t>(threshold));
    }
};

}  // namespace

DetectorFactory exfiltration_detector() {
    return {AlertKind::kExfiltration, &make_shard<Shard>, &make_global<Global>};
}

}  // namespace nms::detect
