// BanManager in dry-run mode (the default): the full decision, event, list, revoke and
// expiry path without nftables. The live path is tested in a network namespace
// (tests/integration/mitigation).
#include <catch2/catch.hpp>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "mitigate/ban_manager.hpp"

using namespace nms;
using namespace nms::mitigate;
using detect::AlertKind;
using detect::AlertPhase;
using detect::Severity;

namespace {

struct Events {
    std::mutex m;
    std::vector<BanEvent> all;
    void operator()(const BanEvent& e) {
        std::lock_guard l(m);
        all.push_back(e);
    }
    std::vector<BanEvent> get() {
        std::lock_guard l(m);
        return all;
    }
};

detect::Alert alert(uint64_t id, AlertKind kind, const char* src, Severity sev = Severity::kHigh) {
    detect::Alert a;
    a.id = id;
    a.kind = kind;
    a.severity = sev;
    a.has_src = true;
    a.src = *IpAddr::parse(src);
    return a;
}

config::MitigationConfig cfg() {
    config::MitigationConfig c;
    c.enabled = true;
    c.dry_run = true;
    c.ban_seconds = 600;
    c.allowlist = {"192.0.2.0/24"};
    c.max_bans_per_minute = 100;
    return c;
}

template <typename F>
bool eventually(F&& f, int ms = 5000) {
    for (int i = 0; i < ms / 10; ++i) {
        if (f()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return f();
}

}  // namespace

TEST_CASE("dry run: a ban is an event and listed, but only once per alert and source", "[mitigate]") {
    Events ev;
    BanManager m(cfg(), {}, std::ref(ev));
    REQUIRE_FALSE(m.open());
    m.start();
    const auto a = alert(5, AlertKind::kSynFlood, "203.0.113.9");
    m.on_alert(a, AlertPhase::kOpened);
    m.on_alert(a, AlertPhase::kUpdated);             // same alert: decided already
    m.on_alert(alert(6, AlertKind::kPortScanVertical, "203.0.113.9"), AlertPhase::kOpened);  // banned already
    m.on_alert(alert(7, AlertKind::kNewDevice, "203.0.113.10"), AlertPhase::kOpened);       // not mitigable
    auto events = ev.get();
    REQUIRE(events.size() == 1);
    CHECK(events[0].action == BanAction::kBan);
    CHECK(events[0].dry_run);
    CHECK(events[0].alert_id == 5);
    CHECK(events[0].kind == AlertKind::kSynFlood);
    CHECK(events[0].ip.to_string() == "203.0.113.9");
    CHECK(events[0].expires >= events[0].ts + 599 * kNsPerSec);
    const auto bans = m.list();
    REQUIRE(bans.size() == 1);
    CHECK(bans[0].ip == a.src);
    CHECK(bans[0].alert_id == 5);
    const auto c = m.counters();
    CHECK(c.bans == 1);
    CHECK(c.already_banned == 1);
    CHECK(c.ignored == 1);
    m.stop();
}

TEST_CASE("dry run: refused bans are skip events with the reason", "[mitigate]") {
    Events ev;
    auto c = cfg();
    c.max_bans_per_minute = 1;
    BanManager m(c, {*IpAddr::parse("198.51.100.1")}, std::ref(ev));
    m.on_alert(alert(1, AlertKind::kSynFlood, "192.0.2.5"), AlertPhase::kOpened);
    m.on_alert(alert(2, AlertKind::kSynFlood, "198.51.100.1"), AlertPhase::kOpened);
    m.on_alert(alert(3, AlertKind::kSynFlood, "203.0.113.1"), AlertPhase::kOpened);
    m.on_alert(alert(4, AlertKind::kSynFlood, "203.0.113.2"), AlertPhase::kOpened);
    // Medium first (ignored), then the same alert escalates: decided on the update.
    m.on_alert(alert(8, AlertKind::kUdpFlood, "203.0.113.3", Severity::kMedium), AlertPhase::kOpened);
    m.on_alert(alert(8, AlertKind::kUdpFlood, "203.0.113.3", Severity::kHigh), AlertPhase::kUpdated);
    const auto events = ev.get();
    REQUIRE(events.size() == 5);
    CHECK(events[0].action == BanAction::kSkip);
    CHECK(events[0].reason == "allowlisted");
    CHECK(events[1].reason == "own_address");
    CHECK(events[2].action == BanAction::kBan);
    CHECK(events[3].reason == "rate_limited");
    CHECK(events[4].action == BanAction::kSkip);
    CHECK(events[4].reason == "rate_limited");
    CHECK(events[4].alert_id == 8);
    CHECK(m.list().size() == 1);
    CHECK(m.counters().rate_limited == 2);
}

TEST_CASE("dry run: revoke lifts a ban with an unban event; unknown addresses are an error", "[mitigate]") {
    Events ev;
    BanManager m(cfg(), {}, std::ref(ev));
    m.on_alert(alert(1, AlertKind::kBruteForce, "2001:db8::66"), AlertPhase::kOpened);
    std::string error;
    CHECK_FALSE(m.revoke(*IpAddr::parse("2001:db8::67"), error));
    CHECK(error.find("not banned") != std::string::npos);
    REQUIRE(m.revoke(*IpAddr::parse("2001:db8::66"), error));
    CHECK(m.list().empty());
    const auto events = ev.get();
    REQUIRE(events.size() == 2);
    CHECK(events[1].action == BanAction::kUnban);
    CHECK(events[1].reason == "revoked");
    CHECK(events[1].alert_id == 1);
    // Revoked: a new alert from it is banned again.
    m.on_alert(alert(2, AlertKind::kBruteForce, "2001:db8::66"), AlertPhase::kOpened);
    CHECK(m.list().size() == 1);
}

TEST_CASE("dry run: a ban expires after ban_seconds with an expire event", "[mitigate]") {
    Events ev;
    auto c = cfg();
    c.ban_seconds = 1;
    BanManager m(c, {}, std::ref(ev));
    m.start();
    m.on_alert(alert(1, AlertKind::kIcmpFlood, "203.0.113.50"), AlertPhase::kOpened);
    CHECK(m.list().size() == 1);
    REQUIRE(eventually([&] { return m.list().empty(); }));
    REQUIRE(eventually([&] { return ev.get().size() == 2; }));
    const auto events = ev.get();
    CHECK(events[1].action == BanAction::kExpire);
    CHECK(events[1].ip.to_string() == "203.0.113.50");
    CHECK(m.counters().expiries == 1);
    m.stop();
}

TEST_CASE("nft set JSON is parsed into addresses and seconds left", "[mitigate]") {
    const std::string json =
        R"({"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}}, {"set": {"family": "inet", )"
        R"("name": "banned_v4", "table": "t", "type": "ipv4_addr", "handle": 2, "flags": ["timeout"], "elem": )"
        R"([{"elem": {"val": "10.1.2.3", "timeout": 30, "expires": 29}}, {"elem": {"val": "10.1.2.4", "timeout": 60, )"
        R"("expires": 1}}]}}]})";
    std::vector<NftElement> out;
    REQUIRE(parse_nft_set_json(json, out));
    REQUIRE(out.size() == 2);
    CHECK(out[0].ip.to_string() == "10.1.2.3");
    CHECK(out[0].timeout_s == 30);
    CHECK(out[0].expires_s == 29);
    CHECK(out[1].expires_s == 1);
    out.clear();
    const std::string empty = R"({"nftables": [{"metainfo": {}}, {"set": {"name": "banned_v6", "flags": ["timeout"]}}]})";
    REQUIRE(parse_nft_set_json(empty, out));
    CHECK(out.empty());
    CHECK_FALSE(parse_nft_set_json("not json", out));
    CHECK_FALSE(parse_nft_set_json(R"({"nftables": []})", out));
}
