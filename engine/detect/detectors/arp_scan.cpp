// arp_scan: one station asking who-has for many distinct IPs (MITRE T1018): arp-scan, nmap -sn
// on the local segment, netdiscover. Worker: per sender MAC, broadcast ARP requests, distinct
// target IPs (HLL) and samples; unicast requests (refreshing a known neighbour) and
// gratuitous ARP (sender = target) are not asking anybody. Stats: a sliding window per MAC;
// an alert at min_targets distinct targets.
#include <array>
#include <cstdio>

#include "detect/detect_keys.hpp"
#include "detect/detectors/detectors.hpp"
#include "detect/table_delta.hpp"
#include "detect/windowed_global.hpp"
#include "devices/mac.hpp"

namespace nms::detect {
namespace {

constexpr uint16_t kArpRequest = 1;

struct Tally {
    SmallHll targets;
    uint32_t requests = 0;
    IpAddr sender_ip;             // the address it claims (0.0.0.0 for ARP probes)
    std::array<IpAddr, 8> samples{};
    uint8_t n_samples = 0;

    [[nodiscard]] uint64_t weight() const noexcept { return requests; }
    void add_sample(const IpAddr& ip) noexcept {
        if (n_samples >= samples.size()) return;
        for (uint8_t i = 0; i < n_samples; ++i)
            if (samples[i] == ip) return;
        samples[n_samples++] = ip;
    }
    void merge(const Tally& o) noexcept {
        targets.merge(o.targets);
        requests += o.requests;
        if (o.requests && o.sender_ip.v4()) sender_ip = o.sender_ip;
        for (uint8_t i = 0; i < o.n_samples; ++i) add_sample(o.samples[i]);
    }
};

bool broadcast(const uint8_t* mac) noexcept {
    return (mac[0] & mac[1] & mac[2] & mac[3] & mac[4] & mac[5]) == 0xff;
}

class Shard final : public ShardDetector {
 public:
    explicit Shard(const DetectorSetup& s) : table_(s.config.max_keys) {}
    [[nodiscard]] uint8_t hooks() const noexcept override { return kPackets; }

    void on_packet(const decode::PacketView& pkt, const flow::Flow* flow) noexcept override {
        if (flow || pkt.l3 != decode::L3::kArp || pkt.arp.op != kArpRequest || !pkt.has_eth) return;
        const decode::ArpInfo& a = pkt.arp;
        if (!broadcast(pkt.dst_mac) || !a.target_ip.is_v4() || a.target_ip == a.sender_ip) return;
        Tally& t = table_.upsert(MacKey{devices::mac_from(a.sender_mac)});
        ++t.requests;
        t.targets.add(a.target_ip.v4());
        if (a.sender_ip.v4()) t.sender_ip = a.sender_ip;
        t.add_sample(a.target_ip);
    }
    std::unique_ptr<DetectorDelta> collect() override { return drain_table(table_); }
    [[nodiscard]] uint64_t evictions() const noexcept override { return table_.evicted(); }

 private:
    ShardTable<MacKey, Tally> table_;
};

class Global final
    : public WindowedGlobal<MacKey, Tally, config::ArpScanConfig, &config::DetectConfig::arp_scan> {
 public:
    explicit Global(const DetectorSetup& s) : WindowedGlobal(AlertKind::kArpScan, s) {}

    void evaluate(const DetectView& view, TimestampNs now, AlertSink& sink) override {
        window_.for_each(view.second, [&](const MacKey& k, const Tally& t) {
            const uint64_t targets = t.targets.count();
            if (targets < cfg_.min_targets) return;
            AlertCandidate c;
            c.ts = now;
            c.has_src = true;
            c.src = t.sender_ip;  // 0.0.0.0 when it only sent probes: the MAC names it then
            c.src_mac = devices::mac_to_string(k.mac);
            c.victim_count = static_cast<uint32_t>(targets);
            for (uint8_t i = 0; i < t.n_samples; ++i) c.top_peers.push_back({t.samples[i], 1});
            auto& e = c.explanation;
            e.metric = "distinct_target_ips";
            e.value = static_cast<double>(targets);
            e.threshold = cfg_.min_targets;
            e.window_s = static_cast<double>(window_.window_s());
            char text[256];
            std::snprintf(text, sizeof text,
                          "%s (%s) asked who-has for %llu distinct IPs in %llds (threshold %u) with %u broadcast "
                          "ARP requests",
                          c.src_mac.c_str(), t.sender_ip.to_string().c_str(), static_cast<unsigned long long>(targets),
                          static_cast<long long>(window_.window_s()), cfg_.min_targets, t.requests);
            e.text = text;
            std::vector<std::string> sample;
            for (uint8_t i = 0; i < t.n_samples; ++i) sample.push_back(t.samples[i].to_string());
            c.evidence.push_back({"requests", static_cast<double>(t.requests)});
            c.evidence.push_back({"sample_targets", std::move(sample)});
            sink.raise(std::move(c));
        });
    }
};

}  // namespace

DetectorFactory arp_scan_detector() { return {AlertKind::kArpScan, &make_shard<Shard>, &make_global<Global>}; }

}  // namespace nms::detect
