// lateral_movement: one internal host connecting to many internal hosts on remote-
// administration ports -- SMB, RPC, RDP, SSH, WinRM (MITRE T1021). Worker: per source, from
// the first packet each way of TCP connections between two internal hosts on those ports:
// attempts, distinct targets (HLL), targets that answered (SYN+ACK or RST: the host exists),
// targets that accepted (SYN+ACK), per-port counts and sample targets. Stats: a sliding
// window per source; an alert at min_hosts distinct targets of which min_responded_ratio
// answered -- a sweep through empty address space is left to the scan detectors.
#include <algorithm>
#include <array>
#include <bitset>
#include <cstdio>

#include "detect/detect_keys.hpp"
#include "detect/detectors/detectors.hpp"
#include "detect/table_delta.hpp"
#include "detect/windowed_global.hpp"
#include "devices/local_nets.hpp"

namespace nms::detect {
namespace {

struct Tally {
    static constexpr size_t kPorts = 8, kSamples = 10;
    SmallHll targets;
    SmallHll responded;            // targets that answered (SYN+ACK or RST)
    SmallHll accepted;             // targets that accepted (SYN+ACK)
    uint32_t attempts = 0;
    std::array<uint16_t, kPorts> ports{};
    std::array<uint32_t, kPorts> port_count{};
    uint8_t n_ports = 0;
    std::array<IpAddr, kSamples> samples{};
    std::array<uint32_t, kSamples> sample_count{};
    uint8_t n_samples = 0;

    [[nodiscard]] uint64_t weight() const noexcept { return attempts; }
    void add_port(uint16_t p, uint32_t n) noexcept {
        for (uint8_t i = 0; i < n_ports; ++i)
            if (ports[i] == p) {
                port_count[i] += n;
                return;
            }
        if (n_ports >= kPorts) return;
        ports[n_ports] = p;
        port_count[n_ports++] = n;
    }
    void add_sample(const IpAddr& ip, uint32_t n) noexcept {
        for (uint8_t i = 0; i < n_samples; ++i)
            if (samples[i] == ip) {
                sample_count[i] += n;
                return;
            }
        if (n_samples >= kSamples) return;
        samples[n_samples] = ip;
        sample_count[n_samples++] = n;
    }
    void merge(const Tally& o) noexcept {
        targets.merge(o.targets);
        responded.merge(o.responded);
        accepted.merge(o.accepted);
        attempts += o.attempts;
        for (uint8_t i = 0; i < o.n_ports; ++i) add_port(o.ports[i], o.port_count[i]);
        for (uint8_t i = 0; i < o.n_samples; ++i) add_sample(o.samples[i], o.sample_count[i]);
    }
};

class Shard final : public ShardDetector {
 public:
    explicit Shard(const DetectorSetup& s) : local_(s.local_nets), table_(s.config.max_keys) {
        for (uint16_t p : s.config.lateral_movement.ports) watched_.set(p);
    }
    [[nodiscard]] uint8_t hooks() const noexcept override { return kPackets; }

    void on_packet(const decode::PacketView& pkt, const flow::Flow* f) noexcept override {
        if (!f || !local_ || pkt.ip_proto != decode::kIpProtoTcp || !(pkt.tcp_flags & (decode::kTcpSyn | decode::kTcpRst)))
            return;
        if (!watched_.test(f->server_port())) return;
        const flow::Dir dir = f->dir_of(pkt.swapped);
        if (f->pkts[dir] != 1) return;  // the first packet each way: one attempt, one answer
        const uint8_t fl = pkt.tcp_flags & (decode::kTcpSyn | decode::kTcpAck | decode::kTcpRst);
        const bool attempt = dir == flow::kToServer && fl == decode::kTcpSyn;
        const bool accept = dir == flow::kToClient && fl == (decode::kTcpSyn | decode::kTcpAck);
        const bool refuse = dir == flow::kToClient && (fl & decode::kTcpRst);
        if (!attempt && !accept && !refuse) return;
        const IpAddr& client = f->client_ip();
        const IpAddr& server = f->server_ip();
        if (client == server || !local_->contains(client) || !local_->contains(server)) return;
        Tally& t = table_.upsert(HostKey{client});
        const uint64_t target = ip_hash(server);
        if (attempt) {
            ++t.attempts;
            t.targets.add_hash(target);
            t.add_port(f->server_port(), 1);
            t.add_sample(server, 1);
            return;
        }
        t.responded.add_hash(target);
        if (accept) t.accepted.add_hash(target);
    }
    std::unique_ptr<DetectorDelta> collect() override { return drain_table(table_); }
    [[nodiscard]] uint64_t evictions() const noexcept override { return table_.evicted(); }

 private:
    const devices::LocalNets* local_;
    std::bitset<65536> watched_;   // the configured ports (as of start: a restart key)
    ShardTable<HostKey, Tally> table_;
};

class Global final
    : public WindowedGlobal<HostKey, Tally, config::LateralMovementConfig, &config::DetectConfig::lateral_movement> {
 public:
    explicit Global(const DetectorSetup& s) : WindowedGlobal(AlertKind::kLateralMovement, s) {}

    void evaluate(const DetectView& view, TimestampNs now, AlertSink& sink) override {
        window_.for_each(view.second, [&](const HostKey& k, const Tally& t) {
            const uint64_t hosts = t.targets.count();
            if (t.attempts == 0 || hosts < cfg_.min_hosts) return;
            const uint64_t responded = std::min(t.responded.count(), hosts);
            const double ratio = static_cast<double>(responded) / static_cast<double>(hosts);
            if (ratio < cfg_.min_responded_ratio) return;
            raise(k.ip, t, hosts, responded, now, sink);
        });
    }

 private:
    void raise(const IpAddr& src, const Tally& t, uint64_t hosts, uint64_t responded, TimestampNs now,
               AlertSink& sink) const {
        AlertCandidate c;
        c.ts = now;
        c.has_src = true;
        c.src = src;
        c.victim_count = static_cast<uint32_t>(hosts);
        for (uint8_t i = 0; i < t.n_samples; ++i) c.top_peers.push_back({t.samples[i], t.sample_count[i]});
        std::stable_sort(c.top_peers.begin(), c.top_peers.end(),
                         [](const auto& a, const auto& b) { return a.count > b.count; });
        if (!c.top_peers.empty()) {
            c.has_victim = true;
            c.victim = c.top_peers.front().ip;
        }
        const uint64_t accepted = std::min(t.accepted.count(), hosts);
        auto& e = c.explanation;
        e.metric = "distinct_internal_hosts";
        e.value = static_cast<double>(hosts);
        e.threshold = cfg_.min_hosts;
        e.window_s = static_cast<double>(window_.window_s());
        std::string ports;
        std::vector<std::string> port_list;
        for (uint8_t i = 0; i < t.n_ports; ++i) {
            port_list.push_back(std::to_string(t.ports[i]) + ":" + std::to_string(t.port_count[i]));
            ports += (i ? "," : "") + std::to_string(t.ports[i]);
        }
        char text[320];
        std::snprintf(text, sizeof text,
                      "%s connected to %llu internal hosts on admin ports %s in %llds (threshold %u); %llu answered, "
                      "%llu accepted",
                      src.to_string().c_str(), static_cast<unsigned long long>(hosts), ports.c_str(),
                      static_cast<long long>(window_.window_s()), cfg_.min_hosts,
                      static_cast<unsigned long long>(responded), static_cast<unsigned long long>(accepted));
        e.text = text;
        std::vector<std::string> victims;
        for (const auto& p : c.top_peers) victims.push_back(p.ip.to_string());
        c.evidence.push_back({"attempts", static_cast<double>(t.attempts)});
        c.evidence.push_back({"answered_hosts", static_cast<double>(responded)});
        c.evidence.push_back({"accepted_hosts", static_cast<double>(accepted)});
        c.evidence.push_back({"ports", std::move(port_list)});
        c.evidence.push_back({"sample_victims", std::move(victims)});
        sink.raise(std::move(c));
    }
};

}  // namespace

DetectorFactory lateral_movement_detector() {
    return {AlertKind::kLateralMovement, &make_shard<Shard>, &make_global<Global>};
}

}  // namespace nms::detect
