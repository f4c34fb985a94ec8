// [storage]: every key loads, ranges are enforced, influx_udp accepts "" or ADDR:PORT,
// and --data-dir marks the directory as explicit.
#include <catch2/catch.hpp>

#include "config/cli.hpp"
#include "config/config_overrides.hpp"
#include "config_test_util.hpp"

using namespace nms::config;
using namespace nms::config::test;

TEST_CASE("[storage] keys load with their values", "[config][storage]") {
    const Config c = load_ok(R"(
[storage]
data_dir = "/srv/nms"
enabled = false
store_replays = true
flush_interval_ms = 250
batch_rows = 5000
queue_records = 1024
flows_retention_days = 7
dns_retention_days = 14
stats_1s_retention_s = 7200
stats_1m_retention_days = 10
stats_1h_retention_days = 730
max_db_mib = 0
logs = false
logs_gzip = false
logs_max_mib = 64
influx_udp = "127.0.0.1:8089"
)");
    const StorageConfig& s = c.storage;
    CHECK(s.data_dir == "/srv/nms");
    CHECK_FALSE(s.enabled);
    CHECK(s.store_replays);
    CHECK(s.flush_interval_ms == 250);
    CHECK(s.batch_rows == 5000);
    CHECK(s.queue_records == 1024);
    CHECK(s.flows_retention_days == 7);
    CHECK(s.dns_retention_days == 14);
    CHECK(s.stats_1s_retention_s == 7200);
    CHECK(s.stats_1m_retention_days == 10);
    CHECK(s.stats_1h_retention_days == 730);
    CHECK(s.max_db_mib == 0);
    CHECK_FALSE(s.logs);
    CHECK_FALSE(s.logs_gzip);
    CHECK(s.logs_max_mib == 64);
    CHECK(s.influx_udp == "127.0.0.1:8089");
    CHECK_FALSE(s.data_dir_from_cli);
    CHECK(load_ok("[storage]\ninflux_udp = \"[::1]:8089\"\n").storage.influx_udp == "[::1]:8089");
    CHECK(load_ok("[storage]\ninflux_udp = \"\"\n").storage.influx_udp.empty());
}

TEST_CASE("[storage] bad values name the key and the accepted range", "[config][storage]") {
    CHECK(load_one_error("[storage]\nstats_1s_retention_s = 60\n").message ==
          "storage.stats_1s_retention_s = 60 is out of range (accepted: 120..604800)");
    CHECK(load_one_error("[storage]\nbatch_rows = 0\n").key == "storage.batch_rows");
    CHECK(load_one_error("[storage]\nflush_interval_ms = 10\n").key == "storage.flush_interval_ms");
    CHECK(load_one_error("[storage]\nqueue_records = 1\n").key == "storage.queue_records");
    CHECK(load_one_error("[storage]\nlogs = \"yes\"\n").key == "storage.logs");
    const ConfigError e = load_one_error("[storage]\ninflux_udp = \"localhost:8089\"\n");
    CHECK(e.key == "storage.influx_udp");
    CHECK(contains(e.message, "ADDR:PORT"));
    CHECK(load_one_error("[storage]\ninflux_udp = \"127.0.0.1:0\"\n").key == "storage.influx_udp");
    CHECK(load_one_error("[storage]\nretention_days = 3\n").key == "storage.retention_days");
}

TEST_CASE("the --data-dir option overrides data_dir and marks it explicit", "[config][storage]") {
    Config c = load_ok("[storage]\ndata_dir = \"/data\"\n");
    const auto cli = parse_cli(std::vector<std::string>{"--data-dir", "/tmp/x"});
    REQUIRE(std::holds_alternative<CliOptions>(cli));
    const ConfigErrors errs = apply_cli(c, std::get<CliOptions>(cli));
    INFO(to_string(errs));
    CHECK(errs.empty());
    CHECK(c.storage.data_dir == "/tmp/x");
    CHECK(c.storage.data_dir_from_cli);
}
