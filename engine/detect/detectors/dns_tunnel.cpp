// dns_tunnel: data carried in DNS query names (MITRE T1071.004). Worker: for every DNS query
// DPI reports, the shape of the name left of its registered domain (detect/dns_name.hpp) is
// judged against the configured length/entropy, and tallied per (client, registered domain):
// distinct names (HLL), queries, encoded-looking ones, TXT/NULL ones, sample names. Stats: a
// sliding window per pair; an alert when the distinct names reach min_unique_subdomains and
// enough of the queries look encoded (or are TXT/NULL). Scoring: config/netmonsec.toml.
#include <algorithm>
#include <cstdio>

#include "detect/detect_keys.hpp"
#include "detect/detectors/detectors.hpp"
#include "detect/detectors/name_sample.hpp"
#include "detect/dns_name.hpp"
#include "detect/table_delta.hpp"
#include "detect/windowed_global.hpp"

namespace nms::detect {
namespace {

constexpr uint16_t kTypeNull = 10;
constexpr uint16_t kTypeTxt = 16;

struct ClientDomainKey {
    IpAddr client;
    uint64_t domain = 0;  // dns::name_hash of the registered domain
    [[nodiscard]] uint64_t hash() const noexcept { return mix64(ip_hash(client) ^ domain); }
    friend bool operator==(const ClientDomainKey&, const ClientDomainKey&) = default;
};

struct Tally {
    SmallHll names;                 // distinct full names
    uint32_t queries = 0;
    uint32_t encoded = 0;           // queries whose subdomain looks like encoded data
    uint32_t txt_null = 0;
    uint32_t subdomain_chars = 0;   // sum over the queries
    float entropy_sum = 0;          // sum over the queries, bits per character
    uint8_t longest_label = 0;
    IpAddr resolver;                // where the queries went (the last one seen)
    NameSample<64> domain;
    NameSamples<3, 100> samples;    // encoded-looking names first

    // Suspicious pairs outweigh the many harmless ones when a worker's table is full.
    [[nodiscard]] uint64_t weight() const noexcept { return queries + 8ull * (encoded + txt_null); }
    void merge(const Tally& o) noexcept {
        names.merge(o.names);
        queries += o.queries;
        encoded += o.encoded;
        txt_null += o.txt_null;
        subdomain_chars += o.subdomain_chars;
        entropy_sum += o.entropy_sum;
        longest_label = std::max(longest_label, o.longest_label);
        if (o.queries) resolver = o.resolver;
        if (domain.empty()) domain = o.domain;
        samples.merge(o.samples);
    }
};

class Shard final : public ShardDetector {
 public:
    explicit Shard(const DetectorSetup& s) : cfg_(s.config.dns_tunnel), table_(s.config.max_keys) {}
    [[nodiscard]] uint8_t hooks() const noexcept override { return kSecurityFacts; }

    void on_security_fact(const dpi::SecurityFact& fact, const decode::PacketView* pkt,
                          const flow::Flow& flow) noexcept override {
        if (fact.kind != dpi::SecurityFactKind::kDnsQuery) return;
        const dns::NameShape shape = dns::analyse_name(fact.name);
        if (shape.skip || shape.subdomain.empty() || shape.service_name || shape.address_like) return;
        if (dns::under_any(fact.name, cfg_.allow_domains)) return;
        const IpAddr& client = pkt ? pkt->src_ip : flow.client_ip();
        const IpAddr& resolver = pkt ? pkt->dst_ip : flow.server_ip();
        // Names without a real domain go straight to the tunnel's server: group them by it.
        const uint64_t domain = shape.no_domain ? ip_hash(resolver) : dns::name_hash(shape.registered);
        Tally& t = table_.upsert(ClientDomainKey{client, domain});
        const bool encoded = (shape.subdomain_chars >= cfg_.min_subdomain_len && shape.entropy >= cfg_.min_entropy) ||
                             shape.longest_label >= cfg_.min_label_len;
        ++t.queries;
        t.encoded += encoded;
        t.txt_null += fact.qtype == kTypeTxt || fact.qtype == kTypeNull;
        t.subdomain_chars += shape.subdomain_chars;
        t.entropy_sum += shape.entropy;
        t.longest_label = std::max(t.longest_label, shape.longest_label);
        t.names.add_hash(dns::name_hash(fact.name));
        t.resolver = resolver;
        if (t.domain.empty()) t.domain.set(shape.no_domain ? std::string_view("(none)")
                                                           : shape.registered);
        if (encoded || t.samples.n < 1) t.samples.add(fact.name);
    }
    std::unique_ptr<DetectorDelta> collect() override { return drain_table(table_); }
    [[nodiscard]] uint64_t evictions() const noexcept override { return table_.evicted(); }

 private:
    config::DnsTunnelConfig cfg_;  // the shape thresholds as of start (restart keys)
    ShardTable<ClientDomainKey, Tally> table_;
};

class Global final
    : public WindowedGlobal<ClientDomainKey, Tally, config::DnsTunnelConfig, &config::DetectConfig::dns_tunnel> {
 public:
    explicit Global(const DetectorSetup& s) : WindowedGlobal(AlertKind::kDnsTunnel, s) {}

    void evaluate(const DetectView& view, TimestampNs now, AlertSink& sink) override {
        window_.for_each(view.second, [&](const ClientDomainKey& k, const Tally& t) {
            const uint64_t unique = t.names.count();
            if (t.queries == 0 || unique < cfg_.min_unique_subdomains) return;
            const double encoded_ratio = static_cast<double>(t.encoded) / t.queries;
            const double txt_ratio = static_cast<double>(t.txt_null) / t.queries;
            const bool by_shape = encoded_ratio >= cfg_.min_encoded_ratio;
            const bool by_type = txt_ratio >= cfg_.min_txt_null_ratio;
            if (!by_shape && !by_type) return;
            raise(k, t, unique, encoded_ratio, txt_ratio, by_shape, now, sink);
        });
    }

 private:
    void raise(const ClientDomainKey& k, const Tally& t, uint64_t unique, double encoded_ratio, double txt_ratio,
               bool by_shape, TimestampNs now, AlertSink& sink) const {
        AlertCandidate c;
        c.ts = now;
        c.has_src = true;
        c.src = k.client;
        c.top_peers.push_back({t.resolver, t.queries});
        const double mean_len = static_cast<double>(t.subdomain_chars) / t.queries;
        const double mean_entropy = static_cast<double>(t.entropy_sum) / t.queries;
        auto& e = c.explanation;
        e.metric = "unique_subdomains";
        e.value = static_cast<double>(unique);
        e.threshold = cfg_.min_unique_subdomains;
        e.window_s = static_cast<double>(window_.window_s());
        const std::string domain(t.domain.view());
        char text[320];
        if (by_shape) {
            std::snprintf(text, sizeof text,
                          "%s queried %llu distinct names under %s in %llds (threshold %u); %.0f%% look encoded "
                          "(mean %.0f chars, %.1f bits/char)",
                          k.client.to_string().c_str(), static_cast<unsigned long long>(unique), domain.c_str(),
                          static_cast<long long>(window_.window_s()), cfg_.min_unique_subdomains, 100 * encoded_ratio,
                          mean_len, mean_entropy);
        } else {
            std::snprintf(text, sizeof text,
                          "%s queried %llu distinct names under %s in %llds (threshold %u); %.0f%% are TXT/NULL "
                          "(threshold %.0f%%)",
                          k.client.to_string().c_str(), static_cast<unsigned long long>(unique), domain.c_str(),
                          static_cast<long long>(window_.window_s()), cfg_.min_unique_subdomains, 100 * txt_ratio,
                          100 * cfg_.min_txt_null_ratio);
        }
        e.text = text;
        c.evidence.push_back({"domain", domain});
        c.evidence.push_back({"queries", static_cast<double>(t.queries)});
        c.evidence.push_back({"encoded_ratio", encoded_ratio});
        c.evidence.push_back({"txt_null_ratio", txt_ratio});
        c.evidence.push_back({"mean_subdomain_len", mean_len});
        c.evidence.push_back({"mean_entropy", mean_entropy});
        c.evidence.push_back({"longest_label", static_cast<double>(t.longest_label)});
        c.evidence.push_back({"resolver", t.resolver.to_string()});
        c.evidence.push_back({"sample_queries", t.samples.strings()});
        sink.raise(std::move(c));
    }
};

}  // namespace

DetectorFactory dns_tunnel_detector() { return {AlertKind::kDnsTunnel, &make_shard<Shard>, &make_global<Global>}; }

}  // namespace nms::detect
