// StoreThread end to end on a real directory: what the output and stats threads hand over
// is written on stop (nothing queued is lost), a full queue drops and counts instead of
// waiting, daily logs get every flow, and stats go out as InfluxDB lines to a UDP socket.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <memory>

#include "dpi/registry.hpp"
#include "store/queries.hpp"
#include "store/store_thread.hpp"
#include "store_test_util.hpp"

using namespace nms;
using namespace nms::store;

namespace {

constexpr TimestampNs kT0 = 1'700'000'000ull * kNsPerSec;

StoreOptions options(const std::string& dir) {
    StoreOptions o;
    o.data_dir = dir;
    o.logs_options.dir = dir;
    o.registry = &dpi::builtin_registry();
    o.dns_app = 200;  // synthetic: the DNS dissector's id once it is registered
    return o;
}

size_t count_lines(const std::string& path) {
    std::ifstream in(path);
    size_t n = 0;
    for (std::string line; std::getline(in, line);) ++n;
    return n;
}

stats::SnapshotPtr snapshot(uint64_t packets, TimestampNs wall) {
    auto s = std::make_shared<stats::Snapshot>();
    s->wall_ns = wall;
    s->traffic.packets = packets;
    s->traffic.bytes = packets * 100;
    s->pps = static_cast<double>(packets);
    return s;
}

}  // namespace

TEST_CASE("stop drains every queue: nothing handed over is lost", "[store]") {
    test::TempDir dir;
    auto st = std::make_unique<StoreThread>(options(dir.path()));
    st->start();
    for (uint64_t i = 0; i < 3000; ++i) st->on_flow(test::make_flow(i + 1, 1, 2, static_cast<uint16_t>(i), 80, kT0 + i));
    const uint8_t addr[4] = {192, 0, 2, 80};
    st->on_app_event(test::make_dns_event(200, false, "a.example", kT0));
    st->on_app_event(test::make_dns_event(200, true, "a.example", kT0 + 1, addr));
    st->on_app_event(test::make_dns_event(3, false, "not-dns.example", kT0));  // another app: ignored
    const TimestampNs now = wall_ns();
    st->on_stats(snapshot(100, now - kNsPerSec));
    st->on_stats(snapshot(250, now));
    st->stop();
    const auto& c = st->counters();
    CHECK(c.flows_written.get() == 3000);
    CHECK(c.dns_written.get() == 2);
    CHECK(c.stats_written.get() == 2);
    CHECK(c.dropped_total() == 0);
    CHECK(c.healthy());
    const std::string db = st->database_path();
    st.reset();
    Queries q(db);
    CHECK(q.db().query_int("SELECT count(*) FROM flows") == 3000);
    CHECK(q.db().query_int("SELECT sum(packets) FROM stats_1s") == 250);  // deltas: 100 + 150
    auto names = q.dns_names("");
    REQUIRE(names.size() == 1);
    CHECK(names[0].last_answer == "192.0.2.80");
    const std::string day = utc_day(static_cast<int64_t>(wall_ns() / kNsPerSec));
    CHECK(count_lines(dir.file("flows_" + day + ".ndjson")) == 3000);
    CHECK(count_lines(dir.file("flows_" + day + ".csv")) == 3001);  // + header
}

TEST_CASE("a full queue drops and counts, it never waits", "[store]") {
    test::TempDir dir;
    StoreOptions o = options(dir.path());
    o.queue_records = 64;
    StoreThread st(o);  // not started: nothing drains
    for (uint64_t i = 0; i < 100; ++i) st.on_flow(test::make_flow(i + 1, 1, 2, 1, 80, kT0));
    CHECK(st.counters().flows_queue_drops.get() == 100 - 64);
    CHECK_FALSE(st.counters().healthy());
    st.start();
    st.stop();
    CHECK(st.counters().flows_written.get() == 64);
}

TEST_CASE("batches commit by row count and by time while running", "[store]") {
    test::TempDir dir;
    StoreOptions o = options(dir.path());
    o.batch_rows = 100;
    o.flush_interval_ms = 50;
    StoreThread st(o);
    st.start();
    for (uint64_t i = 0; i < 1050; ++i) st.on_flow(test::make_flow(i + 1, 1, 2, 1, 80, kT0));
    Queries q(st.database_path());
    // Committed without stop(): within the flush interval (bounded wait, no sleep-and-hope).
    int64_t n = 0;
    for (int i = 0; i < 500 && n < 1050; ++i) {
        n = q.db().query_int("SELECT count(*) FROM flows", 0);
        if (n < 1050) usleep(10'000);
    }
    CHECK(n == 1050);
    CHECK(st.counters().batches.get() >= 11);
    st.stop();
}

TEST_CASE("stats go out as InfluxDB line protocol over UDP", "[store]") {
    const int rx = socket(AF_INET, SOCK_DGRAM, 0);
    REQUIRE(rx >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(rx, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(getsockname(rx, reinterpret_cast<sockaddr*>(&addr), &len) == 0);

    test::TempDir dir;
    StoreOptions o = options(dir.path());
    o.influx_udp = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
    o.flush_interval_ms = 50;
    StoreThread st(o);
    st.start();
    st.on_stats(snapshot(1234, 1'700'000'000ull * kNsPerSec));
    pollfd p{rx, POLLIN, 0};
    REQUIRE(poll(&p, 1, 5000) == 1);
    char buf[2048];
    const ssize_t n = recv(rx, buf, sizeof buf, 0);
    REQUIRE(n > 0);
    const std::string line(buf, static_cast<size_t>(n));
    INFO(line);
    CHECK(line.rfind("netmonsec,tier=1s packets=1234i,bytes=123400i,pps=1234.000,", 0) == 0);
    CHECK(line.find(" 1700000000000000000\n") != std::string::npos);
    st.stop();
    CHECK(st.counters().influx_lines.get() == 1);
    CHECK(st.counters().influx_errors.get() == 0);
    close(rx);
}

TEST_CASE("a bad influx endpoint or data directory is an error that says why", "[store]") {
    test::TempDir dir;
    StoreOptions o = options(dir.path());
    o.influx_udp = "127.0.0.1:notaport";
    CHECK_THROWS_AS(StoreThread(o), StoreError);
    CHECK(prepare_data_dir(dir.file("a/b/c")).empty());
    std::ofstream(dir.file("plain")) << "x";
    CHECK(prepare_data_dir(dir.file("plain")).find("plain") != std::string::npos);
    CHECK_FALSE(prepare_data_dir(dir.file("plain/sub")).empty());
}
