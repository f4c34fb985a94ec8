#include <catch2/catch.hpp>

#include <algorithm>

#include <random>

#include "detector_harness.hpp"
#include "detect/detectors/detectors.hpp"

using namespace nms;
using namespace nms::detect;
using namespace nms::detect::test;

namespace {

const gen::Endpoint kResolver = host(10, 0, 0, 53, 53);

// An answer from `server` to `client` for `name` with `rcode`.
void answer(Harness& h, const gen::Endpoint& server, const gen::Endpoint& client, const std::string& name,
            uint8_t rcode, TimestampNs ts, uint32_t n) {
    gen::Endpoint c = client;
    c.port = static_cast<uint16_t>(30000 + n % 20000);
    const auto f = ip_packet(server, c, 17, 0, ts, "dns");
    const uint32_t w = n % static_cast<uint32_t>(h.workers());
    const flow::Flow* fl = h.packet(w, *f);
    REQUIRE(fl);
    h.shard(w).on_security_fact({dpi::SecurityFactKind::kDnsResponse, name, 1, rcode}, &f->v, *fl);
}

std::string dga_name(std::mt19937& rng) {
    std::string s;
    for (int i = 0; i < 12; ++i) s.push_back(static_cast<char>('a' + rng() % 26));
    return s + (rng() % 2 ? ".com" : ".net");
}

}  // namespace

TEST_CASE("nxdomain_storm: a client getting NXDOMAIN for many generated names", "[detect][nxdomain_storm]") {
    Harness h(nxdomain_storm_detector(), config::DetectConfig{});
    const gen::Endpoint bot = host(10, 0, 0, 77, 40000);
    std::mt19937 rng(7);
    for (uint32_t i = 0; i < 120; ++i) answer(h, kResolver, bot, dga_name(rng), 3, kT0 + i * kNsPerSec / 10, i);
    for (uint32_t i = 0; i < 10; ++i) answer(h, kResolver, bot, "www.example.com", 0, kT0 + i * kNsPerSec, 500 + i);
    const auto alerts = h.end_seconds(second_of(kT0), second_of(kT0) + 12);
    REQUIRE_FALSE(alerts.empty());
    const AlertCandidate& c = alerts.back();
    CHECK(c.src == IpAddr::from_v4(bot.ip));
    CHECK(c.explanation.metric == "nxdomain_names");
    CHECK(c.explanation.value == Approx(120).epsilon(0.1));
    CHECK(c.explanation.threshold == 50);
    CHECK(std::stod(evidence_text(c, "nxdomain_ratio")) == Approx(120.0 / 130));
    CHECK(evidence_text(c, "resolver") == "10.0.0.53");
    const std::string samples = evidence_text(c, "sample_names");
    CHECK(std::count(samples.begin(), samples.end(), '\n') == 3);
}

TEST_CASE("nxdomain_storm: a forwarder, reverse/DNSBL misses, a busy server and a few typos stay quiet",
          "[detect][nxdomain_storm]") {
    Harness h(nxdomain_storm_detector(), config::DetectConfig{});
    std::mt19937 rng(8);
    const gen::Endpoint forwarder = host(10, 0, 0, 2, 53);
    const gen::Endpoint upstream = host(10, 0, 0, 254, 53);
    const gen::Endpoint client = host(10, 0, 0, 30, 40000);
    const gen::Endpoint mail = host(10, 0, 0, 25, 40000);
    const gen::Endpoint busy = host(10, 0, 0, 40, 40000);
    uint32_t n = 0;
    for (uint32_t i = 0; i < 200; ++i) {
        const TimestampNs ts = kT0 + i * kNsPerSec / 5;
        // The forwarder gets its clients' NXDOMAINs from upstream, and answers them.
        const std::string name = dga_name(rng);
        answer(h, upstream, forwarder, name, 3, ts, n++);
        answer(h, forwarder, client, name, 3, ts, n++);
        // A log server's reverse lookups and a mail server's DNSBL checks ("not listed").
        answer(h, kResolver, mail, std::to_string(i) + ".2.0.192.in-addr.arpa", 3, ts, n++);
        answer(h, kResolver, mail, std::to_string(i) + ".2.0.192.zen.example.org", 3, ts, n++);
        // A busy server: many good answers, some misses.
        for (int k = 0; k < 5; ++k) answer(h, kResolver, busy, "api.example.com", 0, ts, n++);
        if (i % 3 == 0) answer(h, kResolver, busy, dga_name(rng), 3, ts, n++);
    }
    // The forwarder's client is the one to look at: it did get a storm.
    bool client_alerted = false;
    for (const auto& c : h.end_seconds(second_of(kT0), second_of(kT0) + 41)) {
        CHECK(c.src == IpAddr::from_v4(client.ip));
        client_alerted = true;
    }
    CHECK(client_alerted);
    // 40 misses: below min_names.
    Harness h2(nxdomain_storm_detector(), config::DetectConfig{});
    for (uint32_t i = 0; i < 40; ++i) answer(h2, kResolver, client, dga_name(rng), 3, kT0 + i * kNsPerSec, i);
    CHECK(h2.end_seconds(second_of(kT0), second_of(kT0) + 41).empty());
}
