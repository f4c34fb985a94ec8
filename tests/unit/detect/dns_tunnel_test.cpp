#include <catch2/catch.hpp>

#include <random>

#include "detector_harness.hpp"
#include "detect/detectors/detectors.hpp"

using namespace nms;
using namespace nms::detect;
using namespace nms::detect::test;

namespace {

const gen::Endpoint kClient = host(10, 0, 0, 5, 40000);
const gen::Endpoint kResolver = host(10, 0, 0, 53, 53);

// Sends `name` as a DNS query fact from `client` (source port varies: queries land on both workers).
void query(Harness& h, const gen::Endpoint& client, const std::string& name, uint16_t qtype, TimestampNs ts,
           uint32_t n) {
    gen::Endpoint c = client;
    c.port = static_cast<uint16_t>(30000 + n % 20000);
    const auto f = ip_packet(c, kResolver, 17, 0, ts, "dns");
    const uint32_t w = n % static_cast<uint32_t>(h.workers());
    const flow::Flow* fl = h.packet(w, *f);
    REQUIRE(fl);
    h.shard(w).on_security_fact({dpi::SecurityFactKind::kDnsQuery, name, qtype, 0}, &f->v, *fl);
}

std::string random_label(std::mt19937& rng, size_t n, const char* alphabet) {
    const size_t k = std::strlen(alphabet);
    std::string s;
    for (size_t i = 0; i < n; ++i) s.push_back(alphabet[rng() % k]);
    return s;
}

constexpr const char* kBase32 = "abcdefghijklmnopqrstuvwxyz234567";
constexpr const char* kHex = "0123456789abcdef";

}  // namespace

TEST_CASE("dns_tunnel: iodine-like long random names under one domain", "[detect][dns_tunnel]") {
    Harness h(dns_tunnel_detector(), config::DetectConfig{});
    std::mt19937 rng(1);
    for (uint32_t i = 0; i < 80; ++i)
        query(h, kClient, random_label(rng, 52, kBase32) + "." + random_label(rng, 20, kBase32) + ".t.tunnel.example.com",
              10, kT0 + i * 250 * kNsPerMs, i);
    const auto alerts = h.end_seconds(second_of(kT0), second_of(kT0) + 21);
    REQUIRE_FALSE(alerts.empty());
    const AlertCandidate& c = alerts.back();
    CHECK(c.src == IpAddr::from_v4(kClient.ip));
    CHECK(c.explanation.metric == "unique_subdomains");
    CHECK(c.explanation.value == Approx(80).epsilon(0.25));  // HLL p=6: ~10% at this size
    CHECK(c.explanation.threshold == 30);
    CHECK(evidence_text(c, "domain") == "example.com");
    CHECK(std::stod(evidence_text(c, "encoded_ratio")) == Approx(1.0));
    CHECK(std::stod(evidence_text(c, "mean_entropy")) > 4.0);
    CHECK(evidence_text(c, "resolver") == "10.0.0.53");
    CHECK(evidence_text(c, "sample_queries").find(".t.tunnel.example.com") != std::string::npos);
    CHECK(c.top_peers.at(0).ip == IpAddr::from_v4(kResolver.ip));
}

TEST_CASE("dns_tunnel: hex (dnscat2-like) and TXT download channels", "[detect][dns_tunnel]") {
    Harness h(dns_tunnel_detector(), config::DetectConfig{});
    std::mt19937 rng(2);
    for (uint32_t i = 0; i < 40; ++i)
        query(h, kClient, random_label(rng, 60, kHex) + ".c2.example.net", 16, kT0 + i * kNsPerSec / 4, i);
    // A second client polling short numbered TXT names (staged download).
    const gen::Endpoint other = host(10, 0, 0, 6, 40000);
    for (uint32_t i = 0; i < 40; ++i)
        query(h, other, std::to_string(1000 + i) + ".s.example.org", 16, kT0 + i * kNsPerSec / 4, i);
    // A third one talking to its server directly: no registered domain at all (dnscat2 without a domain).
    const gen::Endpoint direct = host(10, 0, 0, 7, 40000);
    for (uint32_t i = 0; i < 40; ++i)
        query(h, direct, "dnscat." + random_label(rng, 60, kHex) + "." + random_label(rng, 20, kHex), 5,
              kT0 + i * kNsPerSec / 4, i);
    const auto alerts = h.end_seconds(second_of(kT0), second_of(kT0) + 11);
    bool hex = false, txt = false, no_domain = false;
    for (const auto& c : alerts) {
        hex |= c.src == IpAddr::from_v4(kClient.ip) && evidence_text(c, "domain") == "example.net";
        txt |= c.src == IpAddr::from_v4(other.ip) && c.explanation.text.find("TXT/NULL") != std::string::npos;
        no_domain |= c.src == IpAddr::from_v4(direct.ip) && evidence_text(c, "domain") == "(none)";
    }
    CHECK(hex);
    CHECK(txt);
    CHECK(no_domain);
}

TEST_CASE("dns_tunnel: CDNs, a busy resolver, DKIM/DMARC, reverse and DNSBL lookups stay quiet",
          "[detect][dns_tunnel]") {
    Harness h(dns_tunnel_detector(), config::DetectConfig{});
    std::mt19937 rng(3);
    uint32_t n = 0;
    for (uint32_t i = 0; i < 120; ++i) {
        const TimestampNs ts = kT0 + i * kNsPerSec / 4;
        // CloudFront/Akamai host names: random, unique, under provider zones.
        query(h, kClient, "d" + random_label(rng, 13, "0123456789abcdefghijklmnopqrstuvwxyz") + ".cloudfront.net", 1, ts,
              n++);
        query(h, kClient, "e" + random_label(rng, 5, kHex) + ".dscx.akamaiedge.net", 1, ts, n++);
        // Video CDN names outside the allowlist: unique but short.
        query(h, kClient, "r" + std::to_string(i % 9) + "---sn-" + random_label(rng, 8, kHex) + ".video.example.com", 1,
              ts, n++);
        // A mail server: DKIM and DMARC lookups, DNSBL checks of connecting addresses (TXT too).
        query(h, kClient, "s" + std::to_string(i) + "._domainkey.example" + std::to_string(i) + ".com", 16, ts, n++);
        query(h, kClient, "_dmarc.example" + std::to_string(i) + ".org", 16, ts, n++);
        query(h, kClient, std::to_string(i) + ".2.0.192.dnsbl.example.net", 16, ts, n++);
        // A log server resolving addresses.
        query(h, kClient, std::to_string(i) + ".1.168.192.in-addr.arpa", 12, ts, n++);
        // Ordinary browsing: many domains, short names.
        query(h, kClient, "www.site" + std::to_string(i) + ".com", 1, ts, n++);
        // Long but legitimate names under one domain (a few distinct ones, often repeated).
        query(h, kClient, "internal-service-" + std::to_string(i % 5) + "-prod.eu-west-1.corp.example.io", 1, ts, n++);
    }
    for (const auto& c : h.end_seconds(second_of(kT0), second_of(kT0) + 31)) FAIL_CHECK(c.explanation.text);
}

TEST_CASE("dns_tunnel: below the distinct-name threshold stays quiet; samples are escaped", "[detect][dns_tunnel]") {
    Harness h(dns_tunnel_detector(), config::DetectConfig{});
    std::mt19937 rng(4);
    for (uint32_t i = 0; i < 25; ++i)
        query(h, kClient, random_label(rng, 50, kBase32) + ".t.example.com", 10, kT0 + i * kNsPerSec / 4, i);
    CHECK(h.end_seconds(second_of(kT0), second_of(kT0) + 7).empty());
    // Raw bytes in a label become \xNN in the evidence.
    config::DetectConfig cfg;
    cfg.dns_tunnel.min_unique_subdomains = 5;
    Harness h2(dns_tunnel_detector(), cfg);
    for (uint32_t i = 0; i < 8; ++i)
        query(h2, kClient, std::string("\x01\xff\"") + random_label(rng, 40, kBase32) + ".x.example.com", 10,
              kT0 + i * kNsPerMs, i);
    const auto alerts = h2.end_seconds(second_of(kT0), second_of(kT0));
    REQUIRE(alerts.size() == 1);
    const std::string samples = evidence_text(alerts[0], "sample_queries");
    CHECK(samples.find("\\x01\\xff\"") == 0);
    for (char ch : samples) CHECK((ch == '\n' || (ch > 0x20 && ch < 0x7f)));
}
