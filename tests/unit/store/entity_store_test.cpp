// Devices, alerts and bans in the store (migration 0003): a version 2 database is brought
// forward with its rows; alert episodes upsert under one id, keep their acknowledgement and
// close when they end; devices round-trip through the store into a DeviceMerger; the store
// thread takes alerts as an AlertListener and writes the alerts_YYYYMMDD.ndjson log; an
// offline replay's end burst waits for the store instead of dropping.
#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <thread>

#include "devices/device_table.hpp"
#include "dpi/registry.hpp"
#include "store/alert_store.hpp"
#include "store/daily_logs.hpp"
#include "store/device_store.hpp"
#include "store/entity_json.hpp"
#include "store/migrations.hpp"
#include "store/queries.hpp"
#include "store/store_thread.hpp"
#include "store/store_writer.hpp"
#include "store_test_util.hpp"

using namespace nms;
using namespace nms::store;

namespace {

constexpr TimestampNs kT0 = 1'700'000'000ull * kNsPerSec;

detect::Alert alert(uint64_t id, detect::AlertKind kind, const char* src, TimestampNs last) {
    detect::Alert a;
    a.id = id;
    a.kind = kind;
    a.severity = detect::Severity::kHigh;
    a.has_src = true;
    a.src = *IpAddr::parse(src);
    a.has_victim = true;
    a.victim = *IpAddr::parse("10.0.0.10");
    a.victim_count = 1;
    a.top_peers.push_back({*IpAddr::parse("10.0.0.10"), 900});
    a.first_seen = last - 5 * kNsPerSec;
    a.last_seen = last;
    a.explanation = {"syn_per_s", 5000, 1000, 5, 0, 0, "5000 SYN/s in 5 s (threshold 1000)"};
    a.evidence.push_back({"dst_port", 80.0});
    a.evidence.push_back({"flags", std::string("S")});
    a.evidence.push_back({"names", std::vector<std::string>{"a.example", "b.example"}});
    return a;
}

devices::Device device(const char* mac, const char* ip, TimestampNs last, uint64_t bytes) {
    devices::Device d;
    d.key = devices::DeviceKey::of_mac(*devices::mac_parse(mac));
    d.mac = mac;
    d.vendor = "Acme";
    d.local = true;
    d.ips.push_back(*IpAddr::parse(ip));
    d.first_ns = last - 100 * kNsPerSec;
    d.last_ns = last;
    d.bytes_out = bytes;
    d.packets_out = bytes / 100;
    d.bytes_in = bytes / 2;
    d.hostnames.push_back(std::string("host-") + ip);
    d.attributes["dhcp_vendor_class"] = {"MSFT 5.0"};
    d.os_evidence.push_back({"dhcp_vendor_class", "MSFT 5.0", "Windows", "win", 70, last});
    d.os = "Windows";
    d.os_class = "win";
    d.os_confidence = 70;
    d.tcp_signatures.push_back("4:128+0:0:1460:mss*44,8:mss,nop,ws,nop,nop,sok:df,id+:0");
    devices::DevicePeer p;
    p.ip = *IpAddr::parse("192.0.2.1");
    p.bytes_out = bytes;
    p.packets_out = 7;
    p.connections = 2;
    p.name = "example.com";
    d.peers.push_back(p);
    return d;
}

}  // namespace

TEST_CASE("a version 2 database is migrated to 3 and keeps flows and stats", "[store]") {
    test::TempDir dir;
    const std::string path = dir.file("netmonsec.db");
    {
        Database v2(path, Database::Mode::kReadWrite);
        REQUIRE(migrate(v2, migrations().first(2)) == 2);
        v2.exec_or_throw(
            "INSERT INTO flows(flow_id, stored_s, start_ns, end_ns, src_ip, src_port, dest_ip, dest_port, proto, "
            "pkts_toserver, pkts_toclient, bytes_toserver, bytes_toclient, state, reason) VALUES(7, 1, 10, 20, "
            "'10.0.0.1', 1234, '192.0.2.1', 80, 6, 1, 1, 60, 60, 'closed', 'timeout');"
            "INSERT INTO stats_1s(ts, packets, bytes, pps_avg, pps_max, bps_avg, bps_max, active_flows, drops, "
            "tcp_bytes, udp_bytes, icmp_bytes, other_bytes) VALUES(100, 5, 500, 5, 5, 4000, 4000, 1, 0, 500, 0, 0, 0);");
        CHECK(v2.query_int("SELECT count(*) FROM sqlite_schema WHERE name = 'alerts'") == 0);
    }
    StoreWriter w(path, nullptr);
    CHECK(w.db().query_int("PRAGMA user_version") >= 3);
    CHECK(w.db().query_int("SELECT flow_id FROM flows") == 7);
    CHECK(w.db().query_int("SELECT packets FROM stats_1s WHERE ts = 100") == 5);
    CHECK(w.db().query_int("SELECT count(*) FROM sqlite_schema WHERE name IN ('devices', 'device_addresses', "
                           "'device_hostnames', 'device_os_evidence', 'device_history', 'alerts', 'bans')") == 7);
    CHECK(w.max_alert_id() == 0);
    CHECK(w.db().query_text("PRAGMA integrity_check") == "ok");
}

TEST_CASE("alert episodes: one row per id, acknowledgement kept, closed when ended", "[store]") {
    test::TempDir dir;
    StoreWriter w(dir.file("netmonsec.db"), nullptr);
    std::string err;
    auto a = alert(41, detect::AlertKind::kSynFlood, "10.0.0.66", kT0);
    const std::vector<AlertChange> opened = {{a, detect::AlertPhase::kOpened}};
    REQUIRE(w.write_entities({}, opened, {}, 1000, err) == Rc::kOk);
    std::vector<StoreCommand> ack(1);
    ack[0].alert_id = 41;
    ack[0].user = "alice";
    ack[0].now_s = 1001;
    REQUIRE(w.write_entities({}, {}, ack, 1001, err) == Rc::kOk);
    a.updates = 3;
    a.last_seen = kT0 + 9 * kNsPerSec;
    a.explanation.value = 7000;
    const std::vector<AlertChange> updated = {{a, detect::AlertPhase::kUpdated}};
    REQUIRE(w.write_entities({}, updated, {}, 1002, err) == Rc::kOk);
    auto got = read_alert(w.db(), 41);
    REQUIRE(got);
    CHECK(got->state == "acknowledged");   // an update does not reopen it
    CHECK(got->acknowledged_by == "alice");
    CHECK(got->acknowledged_s == 1001);
    CHECK(got->alert.updates == 3);
    CHECK(got->alert.first_seen == kT0 - 5 * kNsPerSec);
    CHECK(got->alert.last_seen == kT0 + 9 * kNsPerSec);
    CHECK(got->alert.explanation.value == 7000);
    CHECK(got->alert.explanation.text == "5000 SYN/s in 5 s (threshold 1000)");
    REQUIRE(got->alert.evidence.size() == 3);
    CHECK(std::get<double>(got->alert.evidence[0].value) == 80.0);
    CHECK(std::get<std::string>(got->alert.evidence[1].value) == "S");
    CHECK(std::get<std::vector<std::string>>(got->alert.evidence[2].value).size() == 2);
    REQUIRE(got->alert.top_peers.size() == 1);
    CHECK(got->alert.top_peers[0].count == 900);
    CHECK(read_open_alerts(w.db()).size() == 1);
    a.ended = true;
    const std::vector<AlertChange> ended = {{a, detect::AlertPhase::kEnded}};
    REQUIRE(w.write_entities({}, ended, {}, 1003, err) == Rc::kOk);
    CHECK(read_alert(w.db(), 41)->state == "closed");
    CHECK(read_open_alerts(w.db()).empty());
    CHECK(w.db().query_int("SELECT count(*) FROM alerts") == 1);
    CHECK(w.max_alert_id() == 41);

    // Retention: the ended alert goes once older than the cutoff; an open one never does.
    auto b = alert(42, detect::AlertKind::kHostSweep, "10.0.0.77", kT0);
    const std::vector<AlertChange> open2 = {{b, detect::AlertPhase::kOpened}};
    REQUIRE(w.write_entities({}, open2, {}, 1004, err) == Rc::kOk);
    RetentionPolicy p;
    p.alerts_s = 10;
    w.retention_step(1003 + 5, p);
    CHECK(w.db().query_int("SELECT count(*) FROM alerts") == 2);
    w.retention_step(1003 + 11, p);
    CHECK(w.db().query_int("SELECT count(*) FROM alerts") == 1);
    CHECK(w.db().query_int("SELECT id FROM alerts") == 42);
}

TEST_CASE("alert filters, counts and bans on the read side", "[store]") {
    test::TempDir dir;
    StoreWriter w(dir.file("netmonsec.db"), nullptr);
    std::string err;
    std::vector<AlertChange> changes;
    for (uint64_t i = 1; i <= 5; ++i)
        changes.push_back({alert(i, i % 2 ? detect::AlertKind::kSynFlood : detect::AlertKind::kDnsTunnel,
                                 i % 2 ? "10.0.0.66" : "10.0.0.5", kT0 + i * kNsPerSec),
                           detect::AlertPhase::kOpened});
    std::vector<StoreCommand> bans(2);
    bans[0].kind = bans[1].kind = StoreCommand::Kind::kBan;
    bans[0].ban = {"10.0.0.66", 1, "syn_flood", 100, 700, 0, false};
    bans[1].ban = {"10.0.0.77", 0, "", 50, 60, 0, true};
    REQUIRE(w.write_entities({}, changes, bans, 100, err) == Rc::kOk);
    Queries q(w.path());
    AlertFilter f;
    f.kind = "syn_flood";
    auto page = read_alerts(q.db(), f);
    CHECK(page.total == 3);
    CHECK(page.items.front().alert.id == 5);  // newest first
    f = {};
    f.ip = "10.0.0.5";
    CHECK(read_alerts(q.db(), f).total == 2);
    f = {};
    f.since_ns = static_cast<int64_t>(kT0 + 4 * kNsPerSec);
    CHECK(read_alerts(q.db(), f).total == 2);
    f = {};
    f.limit = 2;
    f.offset = 4;
    page = read_alerts(q.db(), f);
    CHECK(page.total == 5);
    REQUIRE(page.items.size() == 1);
    CHECK(page.items[0].alert.id == 1);
    const auto counts = count_alerts(q.db(), 0, INT64_MAX);
    REQUIRE(counts.size() == 2);
    CHECK(counts[0].kind == "syn_flood");
    CHECK(counts[0].count == 3);
    auto all = read_bans(q.db(), false, 200);
    REQUIRE(all.size() == 2);
    CHECK(all[0].ip == "10.0.0.66");
    CHECK(all[0].active(200));
    CHECK_FALSE(all[1].active(200));  // expired at 60
    CHECK(all[1].dry_run);
    CHECK(read_bans(q.db(), true, 200).size() == 1);
    std::vector<StoreCommand> revoke(1);
    revoke[0].kind = StoreCommand::Kind::kRevokeBan;
    revoke[0].ban.ip = "10.0.0.66";
    revoke[0].now_s = 300;
    REQUIRE(w.write_entities({}, {}, revoke, 300, err) == Rc::kOk);
    CHECK(read_bans(q.db(), true, 301).empty());
    CHECK(read_bans(q.db(), false, 301)[0].revoked_s == 300);
}

TEST_CASE("devices round-trip: stored, read back and restored into a DeviceMerger", "[store]") {
    test::TempDir dir;
    std::vector<devices::Device> devs = {device("02:00:00:00:00:01", "10.0.0.1", kT0, 5000),
                                         device("02:00:00:00:00:02", "10.0.0.2", kT0 + kNsPerSec, 100),
                                         device("02:00:00:00:00:03", "10.0.0.3", kT0 - kNsPerSec, 900)};
    {
        StoreWriter w(dir.file("netmonsec.db"), nullptr);
        std::string err;
        REQUIRE(w.write_entities(devs, {}, {}, 100, err) == Rc::kOk);
        devs[0].os = "Windows 10";  // the OS guess changes: history gets a second row
        devs[0].os_evidence.push_back({"http_user_agent", "Mozilla/5.0 (Windows NT 10.0)", "Windows 10", "win", 80, kT0});
        devs[0].ips.push_back(*IpAddr::parse("10.0.0.11"));
        devs[0].bytes_out = 6000;
        REQUIRE(w.write_entities(std::span(devs).first(1), {}, {}, 101, err) == Rc::kOk);
    }
    StoreWriter w(dir.file("netmonsec.db"), nullptr);  // a restart
    const auto back = w.load_devices(10);
    REQUIRE(back.size() == 3);
    CHECK(back[0].mac == "02:00:00:00:00:02");  // most recently seen first
    const auto& d = back[1];
    CHECK(d.mac == "02:00:00:00:00:01");
    CHECK(d.bytes_out == 6000);
    CHECK(d.os == "Windows 10");
    CHECK(d.ips.size() == 2);
    CHECK(d.hostnames == std::vector<std::string>{"host-10.0.0.1"});
    CHECK(d.attributes.at("dhcp_vendor_class") == std::vector<std::string>{"MSFT 5.0"});
    CHECK(d.os_evidence.size() == 2);
    CHECK(d.tcp_signatures.size() == 1);
    REQUIRE(d.peers.size() == 1);
    CHECK(d.peers[0].name == "example.com");
    const auto hist = read_device_history(w.db(), "mac:02:00:00:00:00:01");
    REQUIRE(hist.size() == 3);  // os Windows, os Windows 10, vendor Acme
    CHECK(device_keys_with_ip(w.db(), "10.0.0.11") == std::vector<std::string>{"mac:02:00:00:00:00:01"});

    // Into the merger: same capacity as live (2 here), the most recently seen win.
    devices::DeviceMerger m(2, nullptr, nullptr, false);
    CHECK(m.restore(back) == 2);
    CHECK(m.counters().devices == 2);
    auto top = m.top(5);
    REQUIRE(top.size() == 2);
    CHECK(top[0].mac == "02:00:00:00:00:01");
    CHECK(top[0].bytes_out == 6000);         // counters survive recompute()
    CHECK(top[0].peers.size() == 1);
    CHECK(top[0].os == "Windows 10");
    CHECK(m.seen_after(kT0).size() == 1);    // only 02:..:02 is newer than kT0
    CHECK(m.restore(back) == 0);             // already there / full
}

namespace {
int count_statement(unsigned, void* ctx, void*, void*) {
    ++*static_cast<int*>(ctx);
    return 0;
}
}  // namespace

TEST_CASE("reading a page of devices is a fixed number of queries, each device with its own rows", "[store]") {
    test::TempDir dir;
    std::vector<devices::Device> devs;
    for (int i = 0; i < 60; ++i) {
        char mac[32], ip[32];
        std::snprintf(mac, sizeof mac, "02:00:00:00:01:%02x", i);
        std::snprintf(ip, sizeof ip, "10.0.1.%d", i);
        auto d = device(mac, ip, kT0 + static_cast<TimestampNs>(i) * kNsPerSec, 100 + static_cast<uint64_t>(i));
        // More addresses and names than one device keeps (16 / 8) for some: the cut is per device.
        for (int j = 0; j < (i % 3 == 0 ? 20 : i % 4); ++j) {
            std::snprintf(ip, sizeof ip, "10.%d.2.%d", i, j);
            d.ips.push_back(*IpAddr::parse(ip));
            d.hostnames.push_back("zz-alias-" + std::to_string(i) + "-" + std::to_string(j));
        }
        devs.push_back(std::move(d));
    }
    StoreWriter w(dir.file("netmonsec.db"), nullptr);
    std::string err;
    REQUIRE(w.write_entities(devs, {}, {}, 100, err) == Rc::kOk);
    int statements = 0;
    sqlite3_trace_v2(w.db().handle(), SQLITE_TRACE_STMT, &count_statement, &statements);
    const auto back = read_devices(w.db(), 1000);
    sqlite3_trace_v2(w.db().handle(), 0, nullptr, nullptr);
    CHECK(statements == 4);  // devices, addresses, hostnames, OS evidence: not 1 + 3 per device
    REQUIRE(back.size() == 60);
    for (const auto& d : back) {
        const int i = std::stoi(d.mac.substr(15), nullptr, 16);
        const size_t extra = static_cast<size_t>(i % 3 == 0 ? 20 : i % 4);
        CHECK(d.ips.size() == std::min<size_t>(16, 1 + extra));
        CHECK(d.ips.front() == *IpAddr::parse("10.0.1." + std::to_string(i)));  // first stored first
        CHECK(d.hostnames.size() == std::min<size_t>(8, 1 + extra));
        CHECK(d.hostnames.front() == "host-10.0.1." + std::to_string(i));
        REQUIRE(d.os_evidence.size() == 1);
        CHECK(d.os_evidence[0].value == "MSFT 5.0");
    }
    CHECK(back.front().mac == "02:00:00:00:01:3b");  // newest first, as before
    const auto one = read_devices(w.db(), 1, "mac:02:00:00:00:01:05");
    REQUIRE(one.size() == 1);
    CHECK(one[0].ips.size() == 2);
    CHECK(read_devices(w.db(), 10, "mac:02:00:00:00:09:99").empty());
}

TEST_CASE("device pruning keeps the most recently seen within the capacity", "[store]") {
    test::TempDir dir;
    StoreWriter w(dir.file("netmonsec.db"), nullptr);
    std::vector<devices::Device> devs;
    for (int i = 0; i < 10; ++i) {
        char mac[20], ip[20];
        std::snprintf(mac, sizeof mac, "02:00:00:00:01:%02x", i);
        std::snprintf(ip, sizeof ip, "10.0.1.%d", i);
        devs.push_back(device(mac, ip, kT0 + static_cast<TimestampNs>(i) * kNsPerSec, 100));
    }
    std::string err;
    REQUIRE(w.write_entities(devs, {}, {}, 100, err) == Rc::kOk);
    RetentionPolicy p;
    p.max_devices = 4;
    w.retention_step(100, p);
    CHECK(w.db().query_int("SELECT count(*) FROM devices") == 4);
    CHECK(w.db().query_int("SELECT count(*) FROM device_addresses") == 4);  // cascaded
    CHECK(w.load_devices(10).back().mac == "02:00:00:00:01:06");
}

TEST_CASE("store thread: alerts through the listener, devices, acks, evidence files, the daily alert log", "[store]") {
    test::TempDir dir;
    StoreOptions o;
    o.data_dir = dir.path();
    o.logs_options.dir = dir.path();
    o.logs_options.gzip = false;
    {
        StoreThread st(o);
        st.start();
        detect::AlertListener& listener = st;
        auto a = alert(7, detect::AlertKind::kBruteForce, "10.0.0.66", kT0);
        listener.on_alert(a, detect::AlertPhase::kOpened);
        a.updates = 1;
        listener.on_alert(a, detect::AlertPhase::kUpdated);
        st.on_devices({device("02:00:00:00:00:09", "10.0.0.9", kT0, 10)});
        // Created now: retention removes revoked bans once they are older than alerts_retention_days.
        const auto now_s = static_cast<int64_t>(wall_ns() / kNsPerSec);
        BanRecord b{"10.0.0.66", 7, "brute_force", now_s, 0, 0, false};
        CHECK(st.on_ban(b));
        st.stop();
        const auto h = st.health();
        CHECK(h.enabled);
        CHECK(h.rows_written >= 4);
        CHECK(h.backlog == 0);
    }
    {
        StoreThread st(o);
        CHECK(st.max_alert_id() == 7);
        REQUIRE(st.open_alerts().size() == 1);
        CHECK(st.open_alerts()[0].alert.updates == 1);
        CHECK(st.load_devices(10).size() == 1);
        st.start();
        CHECK(st.acknowledge(7, "bob"));
        CHECK(st.set_alert_evidence(7, "alert-7.pcap"));  // the evidence writer finishes later
        CHECK(st.revoke_ban("10.0.0.66"));
        st.stop();
    }
    Queries q(dir.file("netmonsec.db"));
    REQUIRE(read_alert(q.db(), 7));
    CHECK(read_alert(q.db(), 7)->state == "acknowledged");
    CHECK(read_alert(q.db(), 7)->alert.evidence_pcap == "alert-7.pcap");
    const auto bans = read_bans(q.db(), false, 200);
    REQUIRE(bans.size() == 1);
    CHECK(bans[0].revoked_s > 0);
    const std::string log = dir.file("alerts_" + utc_day(static_cast<int64_t>(wall_ns() / kNsPerSec)) + ".ndjson");
    std::ifstream in(log);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].find("\"event_type\":\"alert\"") != std::string::npos);
    CHECK(lines[0].find("\"phase\":\"opened\"") != std::string::npos);
    CHECK(lines[1].find("\"phase\":\"updated\"") != std::string::npos);
    CHECK(lines[1].find("\"src_ip\":\"10.0.0.66\"") != std::string::npos);
}

TEST_CASE("offline: a full record queue waits for the store instead of dropping", "[store]") {
    test::TempDir dir;
    StoreOptions o;
    o.data_dir = dir.path();
    o.logs = false;
    o.queue_records = 64;
    o.batch_rows = 32;
    o.offline = true;
    StoreThread st(o);
    st.start();
    for (uint64_t i = 0; i < 5000; ++i) st.on_flow(test::make_flow(i + 1, 1, 2, static_cast<uint16_t>(i), 80, kT0 + i));
    st.stop();
    CHECK(st.counters().flows_queue_drops.get() == 0);
    CHECK(st.counters().flows_written.get() == 5000);
}

TEST_CASE("malformed JSON columns read back as empty values, never throw", "[store]") {
    CHECK(strings_from_json("[1, \"a\"").empty());
    CHECK(attributes_from_json("{\"k\": 5}").empty());
    CHECK(peers_from_json("[{\"ip\": \"nope\"}]").empty());
    CHECK(evidence_from_json("[{\"key\": \"x\", \"value\": {}}]").empty());
    CHECK(explanation_from_json("garbage").text.empty());
    CHECK(contributors_from_json("{}").empty());
    CHECK_FALSE(device_key_parse("mac:zz"));
    CHECK_FALSE(device_key_parse("host:1"));
    CHECK(device_key_text(*device_key_parse("ip:2001:db8::1")) == "ip:2001:db8::1");
}

TEST_CASE("restart state: an open victim-keyed episode and detector baselines round-trip", "[store]") {
    test::TempDir dir;
    StoreOptions o;
    o.data_dir = dir.path();
    o.logs = false;
    std::string baselines = "netmonsec-traffic-spike 1\nb * 1 2 3\n";
    for (int i = 0; i < 2000; ++i) baselines += "b 10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256) + " 4 5 6\n";
    {
        StoreThread st(o);
        st.start();
        auto a = alert(3, detect::AlertKind::kSynFlood, "10.0.0.66", kT0);
        a.has_src = false;
        a.key_by_victim = true;
        st.on_alert(a, detect::AlertPhase::kOpened);
        auto b = alert(4, detect::AlertKind::kBruteForce, "10.0.0.67", kT0);
        st.on_alert(b, detect::AlertPhase::kOpened);
        b.ended = true;
        st.on_alert(b, detect::AlertPhase::kEnded);
        CHECK(st.save_detector_state("traffic_spike", "old"));
        CHECK(st.save_detector_state("traffic_spike", baselines));  // replaces the first
        st.stop();
    }
    StoreThread st(o);
    const auto open = st.open_alerts();
    REQUIRE(open.size() == 1);  // the ended one is not an episode to continue
    CHECK(open[0].alert.id == 3);
    CHECK(open[0].alert.key_by_victim);
    CHECK_FALSE(open[0].alert.has_src);
    CHECK(open[0].alert.victim == *IpAddr::parse("10.0.0.10"));
    const auto states = st.detector_states();
    REQUIRE(states.size() == 1);
    CHECK(states[0].first == "traffic_spike");
    CHECK(states[0].second == baselines);
}
