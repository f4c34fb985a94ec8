// AlertManager: one alert per episode (open, updates at most every update_interval_s, end
// after episode_timeout_s of quiet), increasing ids from set_next_id, suppressions with
// expiry, bounded lists.
#include <catch2/catch.hpp>

#include "detect/alert_manager.hpp"

using namespace nms;
using namespace nms::detect;

namespace {

struct Recorder : AlertListener {
    std::vector<std::pair<Alert, AlertPhase>> got;
    void on_alert(const Alert& a, AlertPhase p) noexcept override { got.emplace_back(a, p); }
    size_t count(AlertPhase p) const {
        size_t n = 0;
        for (const auto& g : got) n += g.second == p;
        return n;
    }
};

AlertCandidate scan_from(const char* src, TimestampNs ts, double value = 150) {
    AlertCandidate c;
    c.kind = AlertKind::kPortScanVertical;
    c.severity = Severity::kMedium;
    c.has_src = true;
    c.src = *IpAddr::parse(src);
    c.has_victim = true;
    c.victim = *IpAddr::parse("10.0.0.5");
    c.victim_count = 1;
    c.explanation.value = value;
    c.ts = ts;
    return c;
}

constexpr TimestampNs kS = kNsPerSec;

}  // namespace

TEST_CASE("repeated candidates make one episode: opened, updated at the interval, ended when quiet", "[detect][alerts]") {
    TimestampNs wall = 1000 * kS;
    AlertManager m({/*timeout*/ 60, /*update*/ 10}, [&] { return wall; });
    Recorder r;
    m.add_listener(&r);
    m.set_next_id(41);
    for (int s = 0; s < 30; ++s) {
        m.raise(scan_from("10.0.0.66", TimestampNs(100 + s) * kS, 150 + s));
        m.tick(TimestampNs(100 + s) * kS + kS - 1);
    }
    CHECK(r.count(AlertPhase::kOpened) == 1);
    CHECK(r.got.front().first.id == 41);
    const size_t updates = r.count(AlertPhase::kUpdated);
    CHECK(updates >= 2);
    CHECK(updates <= 3);  // 30 s of triggers, re-emitted at most every 10 s
    CHECK(m.active_count() == 1);
    CHECK(m.active().front().explanation.value == 179);  // the peak window

    m.tick(TimestampNs(129 + 59) * kS);
    CHECK(r.count(AlertPhase::kEnded) == 0);
    m.tick(TimestampNs(129 + 61) * kS);
    REQUIRE(r.count(AlertPhase::kEnded) == 1);
    CHECK(r.got.back().first.ended);
    CHECK(r.got.back().first.first_seen == 100 * kS);
    CHECK(r.got.back().first.last_seen == 129 * kS);
    CHECK(m.active_count() == 0);
    CHECK(m.recent().size() == 1);

    // A new episode gets the next id.
    m.raise(scan_from("10.0.0.66", 500 * kS));
    CHECK(r.got.back().first.id == 42);
    CHECK(m.counters()[0].opened == 2);
    CHECK(m.counters()[0].candidates == 31);
}

TEST_CASE("different sources are different episodes; many-source kinds are keyed by victim", "[detect][alerts]") {
    AlertManager m;
    Recorder r;
    m.add_listener(&r);
    m.raise(scan_from("10.0.0.66", 1 * kS));
    m.raise(scan_from("10.0.0.67", 1 * kS));
    CHECK(r.count(AlertPhase::kOpened) == 2);
    for (int i = 0; i < 5; ++i) {
        AlertCandidate c;
        c.kind = AlertKind::kSynFlood;
        c.key_by_victim = true;
        c.has_victim = true;
        c.victim = *IpAddr::parse("10.0.0.80");
        c.ts = TimestampNs(i + 1) * kS;
        m.raise(std::move(c));
    }
    CHECK(r.count(AlertPhase::kOpened) == 3);
    CHECK(m.active_count() == 3);
}

TEST_CASE("suppressions swallow matching candidates until they expire", "[detect][alerts]") {
    TimestampNs wall = 1000 * kS;
    AlertManager m({}, [&] { return wall; });
    Recorder r;
    m.add_listener(&r);
    std::string err;
    Suppression bad;
    bad.src_cidr = "10.0.0.300/8";
    CHECK_FALSE(m.add_suppression(bad, err));
    CHECK_FALSE(err.empty());

    Suppression s;
    s.kind = AlertKind::kPortScanVertical;
    s.src_cidr = "10.0.0.64/28";
    s.expires_ns = 1100 * kS;
    s.comment = "our vulnerability scanner";
    const auto id = m.add_suppression(s, err);
    REQUIRE(id);
    CHECK(m.suppressions().size() == 1);

    m.raise(scan_from("10.0.0.66", 1 * kS));   // inside the CIDR: suppressed
    m.raise(scan_from("10.0.0.99", 1 * kS));   // outside: alerts
    CHECK(r.count(AlertPhase::kOpened) == 1);
    CHECK(m.counters()[0].suppressed == 1);
    CHECK(m.suppressions().front().hits == 1);

    wall = 1200 * kS;  // expired
    m.raise(scan_from("10.0.0.66", 2 * kS));
    CHECK(r.count(AlertPhase::kOpened) == 2);
    CHECK(m.suppressions().empty());

    Suppression any;
    any.victim_cidr = "10.0.0.5/32";
    const auto id2 = m.add_suppression(any, err);
    REQUIRE(id2);
    CHECK(*id2 > *id);
    m.raise(scan_from("10.0.0.70", 3 * kS));
    CHECK(r.count(AlertPhase::kOpened) == 2);
    CHECK(m.remove_suppression(*id2));
    CHECK_FALSE(m.remove_suppression(*id2));
    m.raise(scan_from("10.0.0.70", 3 * kS));
    CHECK(r.count(AlertPhase::kOpened) == 3);
}

TEST_CASE("open episodes and the recent list are bounded", "[detect][alerts]") {
    AlertManager m({60, 10, /*max_active*/ 8, /*max_recent*/ 4});
    for (uint32_t i = 0; i < 20; ++i)
        m.raise(scan_from(IpAddr::from_v4(0x0a010000u + i).to_string().c_str(), 1 * kS));
    CHECK(m.active_count() == 8);
    CHECK(m.counters()[0].dropped == 12);
    m.end_all(2 * kS);
    CHECK(m.active_count() == 0);
    CHECK(m.recent().size() == 4);
}

TEST_CASE("restored open episodes continue with the same id, then end when quiet", "[detect][alerts]") {
    // A previous run's manager, shut down with its episodes kept open (a store).
    AlertManager before({/*timeout*/ 60, /*update*/ 10});
    Recorder old;
    before.add_listener(&old);
    before.set_next_id(7);
    for (int s = 0; s < 5; ++s) before.raise(scan_from("10.0.0.66", TimestampNs(100 + s) * kS));
    AlertCandidate flood;
    flood.kind = AlertKind::kSynFlood;
    flood.key_by_victim = true;
    flood.has_victim = true;
    flood.victim = *IpAddr::parse("10.0.0.80");
    flood.ts = 104 * kS;
    AlertCandidate flood2 = flood;
    before.raise(std::move(flood));
    before.flush_updates(105 * kS);
    CHECK(old.count(AlertPhase::kEnded) == 0);
    REQUIRE(old.count(AlertPhase::kUpdated) == 1);  // the scan changed since it opened
    std::vector<Alert> stored = before.active();
    REQUIRE(stored.size() == 2);

    AlertManager after({/*timeout*/ 60, /*update*/ 10});
    Recorder r;
    after.add_listener(&r);
    after.set_next_id(1);
    CHECK(after.restore(stored) == 2);
    CHECK(after.active_count() == 2);
    CHECK(after.next_id() == 9);  // after the restored ids
    // The attack goes on after the restart: the same episodes are updated, none is opened.
    after.raise(scan_from("10.0.0.66", 130 * kS, 400));
    flood2.ts = 130 * kS;
    after.raise(std::move(flood2));
    after.tick(131 * kS);
    CHECK(r.count(AlertPhase::kOpened) == 0);
    REQUIRE(r.count(AlertPhase::kUpdated) == 2);
    for (const auto& [a, phase] : r.got) {
        if (a.kind == AlertKind::kPortScanVertical) {
            CHECK(a.id == 7);
            CHECK(a.first_seen == 100 * kS);
            CHECK(a.last_seen == 130 * kS);
            CHECK(a.updates == 2);
            CHECK(a.explanation.value == 400);
        } else {
            CHECK(a.id == 8);
            CHECK(a.key_by_victim);
        }
    }
    // Quiet for the timeout: both end, and a later attack is a new episode.
    after.tick(189 * kS);
    CHECK(r.count(AlertPhase::kEnded) == 0);
    after.tick(191 * kS);
    CHECK(r.count(AlertPhase::kEnded) == 2);
    after.raise(scan_from("10.0.0.66", 300 * kS));
    CHECK(r.got.back().first.id == 9);

    // Ended, id-less or unknown-kind rows are not episodes; max_active bounds the rest.
    AlertManager small({60, 10, /*max_active*/ 1});
    std::vector<Alert> odd(3, stored[0]);
    odd[0].ended = true;
    odd[1].id = 0;
    odd[2].kind = AlertKind::kCount;
    CHECK(small.restore(odd) == 0);
    CHECK(small.restore(stored) == 1);
}
