#include <catch2/catch.hpp>

#include "mitigate/ban_policy.hpp"

using namespace nms;
using namespace nms::mitigate;
using detect::AlertKind;
using detect::Severity;

namespace {

detect::Alert alert(AlertKind kind, const char* src, Severity sev = Severity::kHigh) {
    detect::Alert a;
    a.id = 1;
    a.kind = kind;
    a.severity = sev;
    if (src) {
        a.has_src = true;
        a.src = *IpAddr::parse(src);
    }
    return a;
}

config::MitigationConfig cfg() {
    config::MitigationConfig c;
    c.enabled = true;
    c.allowlist = {"192.0.2.0/24", "2001:db8:1::/48"};
    c.protected_networks = {"10.0.0.1/32", "10.0.0.53/32"};
    c.max_bans_per_minute = 3;
    return c;
}

std::string reason(BanPolicy& p, const detect::Alert& a, uint64_t t = 0) {
    const Decision d = p.decide(a, t);
    return d.verdict == Verdict::kBan ? "ban" : std::string(d.verdict == Verdict::kSkip ? "skip:" : "ignore:") + d.reason;
}

}  // namespace

TEST_CASE("policy bans the source of mitigable kinds at or above min_severity", "[mitigate]") {
    BanPolicy p(cfg(), {});
    CHECK(reason(p, alert(AlertKind::kSynFlood, "203.0.113.9")) == "ban");
    CHECK(reason(p, alert(AlertKind::kPortScanVertical, "2001:db8:2::9")) == "ban");
    CHECK(reason(p, alert(AlertKind::kBruteForce, "203.0.113.10", Severity::kCritical)) == "ban");
}

TEST_CASE("policy ignores kinds that are not mitigable and alerts below min_severity", "[mitigate]") {
    BanPolicy p(cfg(), {});
    for (AlertKind k : {AlertKind::kNewDevice, AlertKind::kDnsTunnel, AlertKind::kArpSpoof, AlertKind::kExfiltration,
                        AlertKind::kTrafficSpike, AlertKind::kLateralMovement, AlertKind::kCount})
        CHECK(reason(p, alert(k, "203.0.113.9", Severity::kCritical)) == "ignore:not_mitigable");
    CHECK(reason(p, alert(AlertKind::kPortScanVertical, "203.0.113.9", Severity::kMedium)) ==
          "ignore:below_min_severity");
    auto low = cfg();
    low.min_severity = "medium";
    BanPolicy p2(low, {});
    CHECK(reason(p2, alert(AlertKind::kPortScanVertical, "203.0.113.9", Severity::kMedium)) == "ban");
}

TEST_CASE("policy never bans allowlisted, protected or own addresses, nor alerts without a source", "[mitigate]") {
    BanPolicy p(cfg(), {*IpAddr::parse("198.51.100.7"), *IpAddr::parse("fe80::1")});
    CHECK(reason(p, alert(AlertKind::kSynFlood, "192.0.2.77")) == "skip:allowlisted");
    CHECK(reason(p, alert(AlertKind::kSynFlood, "2001:db8:1:ff::1")) == "skip:allowlisted");
    CHECK(reason(p, alert(AlertKind::kSynFlood, "10.0.0.1")) == "skip:protected");
    CHECK(reason(p, alert(AlertKind::kSynFlood, "10.0.0.53")) == "skip:protected");
    CHECK(reason(p, alert(AlertKind::kSynFlood, "10.0.0.2")) == "ban");  // a neighbour of the gateway
    CHECK(reason(p, alert(AlertKind::kSynFlood, "198.51.100.7")) == "skip:own_address");
    CHECK(reason(p, alert(AlertKind::kSynFlood, "fe80::1")) == "skip:own_address");
    CHECK(reason(p, alert(AlertKind::kSynFlood, nullptr)) == "skip:no_source");
}

TEST_CASE("policy rate-limits bans per minute, over a sliding window", "[mitigate]") {
    BanPolicy p(cfg(), {});  // 3 per minute
    const uint64_t s = kNsPerSec;
    CHECK(reason(p, alert(AlertKind::kSynFlood, "203.0.113.1"), 0) == "ban");
    CHECK(reason(p, alert(AlertKind::kSynFlood, "203.0.113.2"), 10 * s) == "ban");
    CHECK(reason(p, alert(AlertKind::kSynFlood, "203.0.113.3"), 20 * s) == "ban");
    CHECK(reason(p, alert(AlertKind::kSynFlood, "203.0.113.4"), 30 * s) == "skip:rate_limited");
    CHECK(reason(p, alert(AlertKind::kSynFlood, "203.0.113.5"), 59 * s) == "skip:rate_limited");
    CHECK(reason(p, alert(AlertKind::kSynFlood, "203.0.113.6"), 60 * s) == "ban");  // the first left the window
    CHECK(reason(p, alert(AlertKind::kSynFlood, "203.0.113.7"), 61 * s) == "skip:rate_limited");
    // Skips do not use up the budget: the allowlisted one is decided, not counted.
    CHECK(reason(p, alert(AlertKind::kSynFlood, "192.0.2.1"), 200 * s) == "skip:allowlisted");
}

TEST_CASE("severity names map to severities", "[mitigate]") {
    CHECK(severity_from_name("critical") == Severity::kCritical);
    CHECK(severity_from_name("info") == Severity::kInfo);
    CHECK_FALSE(severity_from_name("severe"));
}
