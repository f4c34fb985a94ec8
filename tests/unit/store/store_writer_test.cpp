// StoreWriter + Queries against a real SQLite file: rows written in one transaction come
// back through the read-only connection with filters and keyset pagination; DNS names are
// upserted; stats roll up into minutes and hours; retention deletes in bounded slices and
// gives pages back to the file system.
#include <catch2/catch.hpp>

#include <filesystem>
#include <vector>

#include "dpi/registry.hpp"
#include "store/queries.hpp"
#include "store/store_writer.hpp"
#include "store_test_util.hpp"

using namespace nms;
using namespace nms::store;

namespace {

constexpr TimestampNs kT0 = 1'700'000'000ull * kNsPerSec;

Rc write_flows(StoreWriter& w, const std::vector<pipeline::FlowRecord>& flows, int64_t now_s) {
    std::string err;
    const Rc rc = w.write_batch(flows, {}, {}, now_s, err);
    INFO(err);
    return rc;
}

StatsSample sample(int64_t ts, uint64_t packets, double pps) {
    StatsSample s;
    s.ts = ts;
    s.packets = packets;
    s.bytes = packets * 100;
    s.pps = pps;
    s.bps = pps * 800;
    s.active_flows = packets / 10;
    s.tcp_bytes = packets * 60;
    s.udp_bytes = packets * 40;
    return s;
}

}  // namespace

TEST_CASE("flows round-trip with filters and keyset pagination", "[store]") {
    test::TempDir dir;
    const std::string path = dir.file("netmonsec.db");
    const auto& reg = dpi::builtin_registry();
    const dpi::AppId http = reg.id_of("http");
    StoreWriter w(path, &reg);
    std::vector<pipeline::FlowRecord> flows;
    for (uint64_t i = 0; i < 250; ++i)
        flows.push_back(test::make_flow(i + 1, static_cast<uint8_t>(1 + i % 5), 9, static_cast<uint16_t>(40000 + i),
                                        i % 2 ? 80 : 53, kT0 + i * kNsPerSec, i % 2 ? 6 : 17, i % 2 ? http : 0));
    REQUIRE(write_flows(w, flows, 1000) == Rc::kOk);

    Queries q(path);
    FlowFilter f;
    f.limit = 100;
    FlowPage p = q.recent_flows(f);
    REQUIRE(p.rows.size() == 100);
    CHECK(p.more);
    CHECK(p.rows[0].flow_id == 250);  // newest first
    CHECK(p.rows[0].src_ip == "10.0.0.5");
    CHECK(p.rows[0].dest_ip == "192.0.2.9");
    CHECK(p.rows[0].dest_port == 80);
    CHECK(p.rows[0].app_proto == "http");
    CHECK(p.rows[0].state == "closed");
    CHECK(p.rows[0].reason == "timeout");
    CHECK(p.rows[0].bytes_toclient == 1200);
    CHECK(p.rows[0].tcp_flags.has_value());
    CHECK(p.rows[1].app_proto.empty());
    CHECK_FALSE(p.rows[1].tcp_flags.has_value());  // UDP
    // Walk all pages: every flow exactly once.
    std::vector<uint64_t> seen;
    for (auto& r : p.rows) seen.push_back(r.flow_id);
    while (p.more) {
        f.cursor_end_ns = p.next_cursor_end_ns;
        f.cursor_id = p.next_cursor_id;
        p = q.recent_flows(f);
        for (auto& r : p.rows) seen.push_back(r.flow_id);
    }
    CHECK(seen.size() == 250);
    CHECK(std::is_sorted(seen.rbegin(), seen.rend()));

    FlowFilter by_ip;
    by_ip.ip = "10.0.0.3";
    by_ip.limit = 1000;
    CHECK(q.recent_flows(by_ip).rows.size() == 50);
    by_ip.ip = "192.0.2.9";  // the server side matches too
    CHECK(q.recent_flows(by_ip).rows.size() == 250);
    FlowFilter by_app;
    by_app.app_proto = "http";
    by_app.limit = 1000;
    CHECK(q.recent_flows(by_app).rows.size() == 125);
    FlowFilter by_port;
    by_port.port = 53;
    by_port.proto = 17;
    by_port.since_ns = static_cast<int64_t>(kT0 + 200 * kNsPerSec);
    by_port.limit = 1000;
    CHECK(q.recent_flows(by_port).rows.size() == 25);
}

TEST_CASE("the read connection sees committed batches while the writer keeps writing", "[store]") {
    test::TempDir dir;
    const std::string path = dir.file("netmonsec.db");
    StoreWriter w(path, nullptr);
    Queries q(path);
    REQUIRE(write_flows(w, {test::make_flow(1, 1, 1, 1000, 80, kT0)}, 1) == Rc::kOk);
    CHECK(q.recent_flows({}).rows.size() == 1);
    REQUIRE(write_flows(w, {test::make_flow(2, 1, 1, 1001, 80, kT0 + 1)}, 1) == Rc::kOk);
    CHECK(q.recent_flows({}).rows.size() == 2);
    CHECK_THROWS_AS(q.db().exec_or_throw("DELETE FROM flows"), StoreError);  // read-only
}

TEST_CASE("every query plan uses an index", "[store]") {
    test::TempDir dir;
    const std::string path = dir.file("netmonsec.db");
    StoreWriter w(path, nullptr);
    const auto plan = [&](const std::string& sql) {
        Statement st(w.db(), "EXPLAIN QUERY PLAN " + sql);
        std::string out;
        while (st.step() == Rc::kRow) out += std::string(st.column_text(3)) + "; ";
        return out;
    };
    const auto uses = [&](const std::string& sql, const std::string& index) {
        const std::string p = plan(sql);
        INFO(sql << " -> " << p);
        CHECK(p.find(index) != std::string::npos);
    };
    uses("SELECT id FROM flows WHERE 1 ORDER BY end_ns DESC, id DESC LIMIT 10", "flows_by_end");
    uses("SELECT id FROM flows WHERE src_ip = 'a' ORDER BY end_ns DESC LIMIT 5", "flows_by_src");
    uses("SELECT id FROM flows WHERE dest_ip = 'a' AND src_ip <> 'a' ORDER BY end_ns DESC LIMIT 5", "flows_by_dest");
    uses("SELECT id FROM flows WHERE app_proto = 'dns' ORDER BY end_ns DESC LIMIT 5", "flows_by_app");
    uses("SELECT name FROM dns_names ORDER BY last_ns DESC LIMIT 5", "dns_by_last");
    uses("SELECT name FROM dns_names WHERE stored_s < 5 LIMIT 5", "dns_by_stored");
    uses("SELECT ts FROM stats_1m WHERE ts >= 1 AND ts < 9 ORDER BY ts DESC LIMIT 3", "INTEGER PRIMARY KEY");
}

TEST_CASE("DNS names are upserted: queries counted, newest answer kept", "[store]") {
    test::TempDir dir;
    const std::string path = dir.file("netmonsec.db");
    StoreWriter w(path, nullptr);
    const uint8_t a1[4] = {93, 184, 216, 34};
    const uint8_t a2[4] = {93, 184, 216, 35};
    std::vector<DnsObservation> obs(4);
    REQUIRE(extract_dns_observation(test::make_dns_event(7, false, "example.com", kT0), obs[0]));
    REQUIRE(extract_dns_observation(test::make_dns_event(7, true, "example.com", kT0 + 5, a1), obs[1]));
    REQUIRE(extract_dns_observation(test::make_dns_event(7, false, "example.com", kT0 + 9 * kNsPerSec), obs[2]));
    REQUIRE(extract_dns_observation(test::make_dns_event(7, true, "example.com", kT0 + 9 * kNsPerSec + 5, a2), obs[3]));
    std::string err;
    REQUIRE(w.write_batch({}, obs, {}, 100, err) == Rc::kOk);
    Queries q(path);
    auto rows = q.dns_names("");
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].name == "example.com");
    CHECK(rows[0].queries == 2);
    CHECK(rows[0].answers == 2);
    CHECK(rows[0].first_ns == static_cast<int64_t>(kT0));
    CHECK(rows[0].last_ns == static_cast<int64_t>(kT0 + 9 * kNsPerSec + 5));
    CHECK(rows[0].last_answer == "93.184.216.35");
    CHECK(rows[0].last_client == "10.0.0.7");
    CHECK(q.dns_names("ample.c").size() == 1);
    CHECK(q.dns_names("%").empty());  // LIKE wildcards are literal
}

TEST_CASE("stats roll up into complete minutes and hours, and history reloads", "[store]") {
    test::TempDir dir;
    const std::string path = dir.file("netmonsec.db");
    const int64_t h0 = 1'700'000'000 / 3600 * 3600;
    {
        StoreWriter w(path, nullptr);
        std::vector<StatsSample> s;
        for (int64_t t = 0; t < 150; ++t) s.push_back(sample(h0 + t, 10, t < 60 ? 10.0 : 20.0));
        std::string err;
        REQUIRE(w.write_batch({}, {}, s, h0 + 150, err) == Rc::kOk);
        std::vector<StatsRow> minutes;
        REQUIRE(w.rollup(h0 + 150, &minutes) == Rc::kOk);
        REQUIRE(minutes.size() == 2);  // the third minute is not complete yet
        CHECK(minutes[0].ts == h0);
        CHECK(minutes[0].packets == 600);
        CHECK(minutes[0].pps_avg == Approx(10.0));
        CHECK(minutes[1].pps_max == Approx(20.0));
        CHECK(minutes[1].tcp_bytes == 60 * 10 * 60);
        CHECK(w.db().query_int("SELECT count(*) FROM stats_1h") == 0);
    }
    {
        // A restart resumes after the last rolled minute; an hour later the hour is rolled.
        StoreWriter w(path, nullptr);
        std::vector<StatsRow> minutes;
        REQUIRE(w.rollup(h0 + 3600 + 5, &minutes) == Rc::kOk);
        REQUIRE(minutes.size() == 1);
        CHECK(minutes[0].ts == h0 + 120);
        CHECK(minutes[0].packets == 300);
        CHECK(w.db().query_int("SELECT packets FROM stats_1h WHERE ts = " + std::to_string(h0)) == 1500);
        const auto hist = w.recent_history(h0 + 150, 100);  // (h0 + 50, h0 + 150]
        REQUIRE(hist.size() == 99);
        CHECK(hist.front().wall_ns == static_cast<TimestampNs>(h0 + 51) * kNsPerSec);
        CHECK(hist.back().pps == Approx(20.0));
    }
    Queries q(path);
    CHECK(q.stats_history(StatsTier::k1m, h0, h0 + 3600).size() == 3);
    const auto last = q.stats_history(StatsTier::k1s, h0, h0 + 3600, 10);
    REQUIRE(last.size() == 10);
    CHECK(last.front().ts == h0 + 140);  // the newest 10, oldest first
    CHECK(last.back().ts == h0 + 149);
}

TEST_CASE("retention deletes expired rows in slices and vacuums incrementally", "[store]") {
    test::TempDir dir;
    const std::string path = dir.file("netmonsec.db");
    StoreWriter w(path, nullptr);
    CHECK(w.db().query_int("PRAGMA auto_vacuum") == 2);  // INCREMENTAL, despite WAL
    CHECK(w.db().query_text("PRAGMA journal_mode") == "wal");
    std::vector<pipeline::FlowRecord> flows;
    for (uint64_t i = 0; i < 5000; ++i) flows.push_back(test::make_flow(i + 1, 1, 2, 1000, 80, kT0 + i));
    REQUIRE(write_flows(w, flows, 1000) == Rc::kOk);   // stored at t=1000 s
    REQUIRE(write_flows(w, {test::make_flow(9999, 1, 2, 1000, 80, kT0)}, 5000) == Rc::kOk);  // at 5000 s
    RetentionPolicy p;
    p.flows_s = 2000;      // at now = 4000 the first batch is expired, the last row is not
    p.delete_batch = 1000;
    p.vacuum_pages = 16;
    const int64_t pages_before = w.db().query_int("PRAGMA page_count");
    int64_t deleted = 0;
    int steps = 0;
    uint64_t vacuumed = 0;
    for (; steps < 20; ++steps) {
        const int64_t d = w.retention_step(4000, p, &vacuumed);
        CHECK(d <= 1000);
        deleted += d;
        if (d == 0 && w.db().query_int("PRAGMA freelist_count") == 0) break;
    }
    CHECK(deleted == 5000);
    CHECK(steps >= 5);
    CHECK(w.db().query_int("SELECT count(*) FROM flows") == 1);
    CHECK(vacuumed > 0);
    CHECK(w.db().query_int("PRAGMA page_count") < pages_before);
    CHECK(w.db().query_text("PRAGMA integrity_check") == "ok");
}

TEST_CASE("over the size cap the oldest flows go first, whatever their age", "[store]") {
    test::TempDir dir;
    StoreWriter w(dir.file("netmonsec.db"), nullptr);
    std::vector<pipeline::FlowRecord> flows;
    for (uint64_t i = 0; i < 20000; ++i) flows.push_back(test::make_flow(i + 1, 1, 2, 1000, 80, kT0 + i));
    REQUIRE(write_flows(w, flows, 1000) == Rc::kOk);
    const uint64_t used = w.used_bytes();
    RetentionPolicy p;
    p.max_db_bytes = used / 2;
    p.delete_batch = 2000;
    for (int i = 0; i < 50 && w.used_bytes() > p.max_db_bytes; ++i) w.retention_step(1000, p);
    CHECK(w.used_bytes() <= p.max_db_bytes);
    const int64_t left = w.db().query_int("SELECT count(*) FROM flows");
    CHECK(left > 0);
    CHECK(left < 20000);
    CHECK(w.db().query_int("SELECT min(flow_id) FROM flows") == 20000 - left + 1);  // newest kept
}
