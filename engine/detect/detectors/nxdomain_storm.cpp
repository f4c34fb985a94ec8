// nxdomain_storm: one client receiving NXDOMAIN for many distinct names (MITRE T1568.002):
// a DGA trying its generated domains, or a broken search list. Worker: per client, from the
// DNS answers DPI reports: answers, NXDOMAINs, distinct NXDOMAIN names (HLL), samples; and per
// responder, the answers it served. Stats: a sliding window per host; an alert when a host
// that does not itself answer DNS (a forwarder's NXDOMAINs are its clients') got min_names
// distinct NXDOMAIN names making up at least min_ratio of its answers.
#include <cstdio>

#include "detect/detect_keys.hpp"
#include "detect/detectors/detectors.hpp"
#include "detect/detectors/name_sample.hpp"
#include "detect/dns_name.hpp"
#include "detect/table_delta.hpp"
#include "detect/windowed_global.hpp"

namespace nms::detect {
namespace {

constexpr uint8_t kRcodeNxdomain = 3;

struct Tally {
    SmallHll nx_names;
    uint32_t answers = 0;       // DNS answers this host received
    uint32_t nxdomain = 0;      // ... of which NXDOMAIN for a counted name
    uint32_t served = 0;        // DNS answers this host sent (it is a resolver or forwarder)
    IpAddr resolver;            // who answered it (the last NXDOMAIN)
    NameSamples<3, 80> samples;

    [[nodiscard]] uint64_t weight() const noexcept { return answers + 4ull * nxdomain + served; }
    void merge(const Tally& o) noexcept {
        nx_names.merge(o.nx_names);
        answers += o.answers;
        nxdomain += o.nxdomain;
        served += o.served;
        if (o.nxdomain) resolver = o.resolver;
        samples.merge(o.samples);
    }
};

class Shard final : public ShardDetector {
 public:
    explicit Shard(const DetectorSetup& s) : table_(s.config.max_keys) {}
    [[nodiscard]] uint8_t hooks() const noexcept override { return kSecurityFacts; }

    void on_security_fact(const dpi::SecurityFact& fact, const decode::PacketView* pkt,
                          const flow::Flow& flow) noexcept override {
        if (fact.kind != dpi::SecurityFactKind::kDnsResponse) return;
        const IpAddr& client = pkt ? pkt->dst_ip : flow.client_ip();
        const IpAddr& responder = pkt ? pkt->src_ip : flow.server_ip();
        ++table_.upsert(HostKey{responder}).served;
        Tally& t = table_.upsert(HostKey{client});
        ++t.answers;
        if (fact.rcode != kRcodeNxdomain) return;
        // Reverse lookups of unknown addresses and DNSBL "not listed" answers are NXDOMAIN by design.
        const dns::NameShape shape = dns::analyse_name(fact.name);
        if (shape.skip || shape.address_like) return;
        ++t.nxdomain;
        t.nx_names.add_hash(dns::name_hash(fact.name));
        t.resolver = responder;
        t.samples.add(fact.name);
    }
    std::unique_ptr<DetectorDelta> collect() override { return drain_table(table_); }
    [[nodiscard]] uint64_t evictions() const noexcept override { return table_.evicted(); }

 private:
    ShardTable<HostKey, Tally> table_;
};

class Global final
    : public WindowedGlobal<HostKey, Tally, config::NxdomainStormConfig, &config::DetectConfig::nxdomain_storm> {
 public:
    explicit Global(const DetectorSetup& s) : WindowedGlobal(AlertKind::kNxdomainStorm, s) {}

    void evaluate(const DetectView& view, TimestampNs now, AlertSink& sink) override {
        window_.for_each(view.second, [&](const HostKey& k, const Tally& t) {
            if (t.served || t.answers == 0) return;
            const uint64_t names = t.nx_names.count();
            const double ratio = static_cast<double>(t.nxdomain) / t.answers;
            if (names < cfg_.min_names || ratio < cfg_.min_ratio) return;
            AlertCandidate c;
            c.ts = now;
            c.has_src = true;
            c.src = k.ip;
            c.top_peers.push_back({t.resolver, t.nxdomain});
            auto& e = c.explanation;
            e.metric = "nxdomain_names";
            e.value = static_cast<double>(names);
            e.threshold = cfg_.min_names;
            e.window_s = static_cast<double>(window_.window_s());
            char text[256];
            std::snprintf(text, sizeof text,
                          "%s got NXDOMAIN for %llu distinct names in %llds (threshold %u), %.0f%% of its %u DNS "
                          "answers (threshold %.0f%%)",
                          k.ip.to_string().c_str(), static_cast<unsigned long long>(names),
                          static_cast<long long>(window_.window_s()), cfg_.min_names, 100 * ratio, t.answers,
                          100 * cfg_.min_ratio);
            e.text = text;
            c.evidence.push_back({"nxdomain", static_cast<double>(t.nxdomain)});
            c.evidence.push_back({"answers", static_cast<double>(t.answers)});
            c.evidence.push_back({"nxdomain_ratio", ratio});
            c.evidence.push_back({"resolver", t.resolver.to_string()});
            c.evidence.push_back({"sample_names", t.samples.strings()});
            sink.raise(std::move(c));
        });
    }
};

}  // namespace

DetectorFactory nxdomain_storm_detector() {
    return {AlertKind::kNxdomainStorm, &make_shard<Shard>, &make_global<Global>};
}

}  // namespace nms::detect
