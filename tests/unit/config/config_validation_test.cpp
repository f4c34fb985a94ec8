// Every validation error names the key, its line and what is accepted; all are reported.
#include <unistd.h>

#include <catch2/catch.hpp>

#include "config/config_loader.hpp"
#include "config_test_util.hpp"

using namespace nms::config;
using namespace nms::config::test;

TEST_CASE("all errors of a file are collected in line order with exact lines", "[config]") {
    const ConfigErrors errs = load_bad(R"([capture]
snaplen = 10
block_size = 5000
snaplenn = 3

[pipeline]
workers = "four"
ring_size = 100

[log]
level = "verbose"
)");
    INFO(to_string(errs));
    REQUIRE(errs.size() == 6);
    CHECK(errs[0].line == 2);
    CHECK(errs[0].key == "capture.snaplen");
    CHECK(errs[0].to_string() == "t.toml:2: capture.snaplen = 10 is out of range (accepted: 64..262144)");
    CHECK(errs[1].line == 3);
    CHECK(errs[1].key == "capture.block_size");
    CHECK(errs[1].message ==
          "capture.block_size = 5000 is out of range (accepted: a power of two in 4096..1073741824)");
    CHECK(errs[2].line == 4);
    CHECK(errs[2].key == "capture.snaplenn");
    CHECK(errs[2].to_string() ==
          "t.toml:4: unknown key 'capture.snaplenn' (did you mean 'capture.snaplen'?)");
    CHECK(errs[3].line == 7);
    CHECK(errs[3].message == "pipeline.workers must be an integer, not a string (accepted: 0..256)");
    CHECK(errs[4].line == 8);
    CHECK(errs[4].key == "pipeline.ring_size");
    CHECK(contains(errs[4].message, "a power of two in 64..1048576"));
    CHECK(errs[5].line == 11);
    CHECK(errs[5].message ==
          "log.level = \"verbose\" is not accepted (accepted: error, warn, info or debug)");
    for (const ConfigError& e : errs) CHECK(e.file == "t.toml");
}

TEST_CASE("unknown keys are errors at every level", "[config]") {
    ConfigError e = load_one_error("\n[capturex]\nsnaplen = 1\n");
    CHECK(e.line == 2);
    CHECK(e.message == "unknown key 'capturex' (did you mean 'capture'?)");

    e = load_one_error("[flow.timeouts]\n\nudp = 5\n");
    CHECK(e.line == 3);
    CHECK(e.key == "flow.timeouts.udp");
    CHECK(contains(e.message, "did you mean 'flow.timeouts.udp_s'"));

    e = load_one_error("verbose = true\n");
    CHECK(e.line == 1);
    CHECK(e.message == "unknown key 'verbose'");

    e = load_one_error("[capture]\nworkers = 4\n");  // right key, wrong section
    CHECK(contains(e.message, "unknown key 'capture.workers' (did you mean 'pipeline.workers'?)"));

    e = load_one_error("[flow.timeouts.extra]\n");
    CHECK(e.key == "flow.timeouts.extra");

    e = load_one_error("[capture]\n\"bad\\nkey\" = 1\n");  // control characters never reach the message raw
    CHECK(e.line == 2);
    CHECK(e.message == "unknown key 'capture.bad\\x0akey'");
}

TEST_CASE("sections must be tables and values must not be", "[config]") {
    ConfigError e = load_one_error("capture = 5\n");
    CHECK(e.line == 1);
    CHECK(e.message == "'capture' must be a table ([capture])");
    e = load_one_error("[[flow]]\nmax_flows = 2048\n");
    CHECK(e.message == "'flow' must be a table ([flow])");
    e = load_one_error("[capture.snaplen]\n");
    CHECK(e.message == "capture.snaplen must be an integer, not a table (accepted: 64..262144)");
}

TEST_CASE("integers with wrong type or negative or too large or not a power of two are refused", "[config]") {
    CHECK(load_one_error("[capture]\nsnaplen = 2048.0\n").message ==
          "capture.snaplen must be an integer, not a float (accepted: 64..262144)");
    CHECK(load_one_error("[capture]\nsnaplen = \"2048\"\n").message ==
          "capture.snaplen must be an integer, not a string (accepted: 64..262144)");
    CHECK(load_one_error("[capture]\nsnaplen = -5\n").message ==
          "capture.snaplen = -5 is out of range (accepted: 64..262144)");
    CHECK(load_one_error("[capture]\nsnaplen = 262145\n").line == 2);
    CHECK(load_ok("[capture]\nsnaplen = 64\n").capture.snaplen == 64);
    CHECK(load_ok("[capture]\nsnaplen = 262144\nblock_size = 262144\n").capture.snaplen == 262144);
    CHECK(load_one_error("[capture]\nblock_size = 1048577\n").key == "capture.block_size");
    CHECK(load_one_error("[capture]\nblock_size = 2048\n").key == "capture.block_size");  // < 4096
    CHECK(load_one_error("[capture]\nblock_count = 1\n").message ==
          "capture.block_count = 1 is out of range (accepted: 2..65536)");
    CHECK(load_one_error("[pipeline]\nworkers = 257\n").message ==
          "pipeline.workers = 257 is out of range (accepted: 0..256)");
    CHECK(load_one_error("[pipeline]\nring_size = 2097152\n").key == "pipeline.ring_size");
    CHECK(load_one_error("[pipeline]\nring_size = 32\n").key == "pipeline.ring_size");
    CHECK(load_one_error("[capture]\nfanout_group = 65536\n").key == "capture.fanout_group");
    CHECK(load_one_error("[capture]\nloop = 4294967296\n").key == "capture.loop");  // > uint32
    CHECK(load_one_error("[flow]\nmax_flows = 9223372036854775807\n").key == "flow.max_flows");
}

TEST_CASE("block_size must hold a whole snaplen frame", "[config]") {
    const ConfigError e = load_one_error("[capture]\nsnaplen = 65536\nblock_size = 32768\n");
    CHECK(e.line == 3);
    CHECK(e.key == "capture.block_size");
    CHECK(contains(e.message, "capture.block_size = 32768 is smaller than capture.snaplen = 65536"));
    CHECK(load_ok("[capture]\nsnaplen = 65536\nblock_size = 65536\n").capture.block_size == 65536);
}

TEST_CASE("flow timeouts must be positive except active_s", "[config]") {
    for (const char* key : {"tcp_new_s", "tcp_established_s", "tcp_closed_s", "udp_s", "icmp_s", "other_s"}) {
        const ConfigError e = load_one_error(std::string("[flow.timeouts]\n") + key + " = 0\n");
        CHECK(e.line == 2);
        CHECK(e.key == std::string("flow.timeouts.") + key);
        CHECK(contains(e.message, "(accepted: 1..4294967295)"));
    }
    CHECK(load_ok("[flow.timeouts]\nactive_s = 0\n").flow.timeouts.active_s == 0);
    CHECK(load_one_error("[flow.timeouts]\nactive_s = -1\n").key == "flow.timeouts.active_s");
}

TEST_CASE("replay_speed takes integers and floats >= 0", "[config]") {
    CHECK(load_ok("[capture]\nreplay_speed = 1\n").capture.replay_speed == 1.0);
    CHECK(load_ok("[capture]\nreplay_speed = 0.5\n").capture.replay_speed == 0.5);
    CHECK(load_one_error("[capture]\nreplay_speed = -0.5\n").message ==
          "capture.replay_speed = -0.5 is out of range (accepted: 0..1000000)");
    CHECK(load_one_error("[capture]\nreplay_speed = nan\n").key == "capture.replay_speed");
    CHECK(load_one_error("[capture]\nreplay_speed = inf\n").key == "capture.replay_speed");
    CHECK(load_one_error("[capture]\nreplay_speed = \"fast\"\n").message ==
          "capture.replay_speed must be a number, not a string (accepted: 0..1000000)");
}

TEST_CASE("strings are checked for enum words and NUL bytes and booleans for type", "[config]") {
    CHECK(load_one_error("[capture]\nmethod = \"dpdk\"\n").message ==
          "capture.method = \"dpdk\" is not accepted (accepted: af_packet or pcap)");
    CHECK(load_one_error("[capture]\npromiscuous = \"yes\"\n").message ==
          "capture.promiscuous must be true or false, not a string (accepted: true or false)");
    CHECK(load_one_error("[capture]\npromiscuous = 1\n").key == "capture.promiscuous");
    CHECK(load_one_error("[output]\neve_path = \"a\\u0000b\"\n").message ==
          "output.eve_path = \"a\\u0000b\" contains a NUL character (accepted: a string of 0..4096 "
          "characters)");
    CHECK(load_one_error("[storage]\ndata_dir = \"\"\n").message ==
          "storage.data_dir = \"\" is empty (accepted: a string of 1..4096 characters)");
    CHECK(load_one_error("[log]\nlevel = \"WARN\"\n").key == "log.level");
    CHECK(load_one_error("[log]\nlevel = 2\n").key == "log.level");
}

TEST_CASE("interface lists check names and duplicates with element lines", "[config]") {
    const ConfigErrors errs = load_bad(R"([capture]
interfaces = [
  "eth0",
  "eth0",
  "a/b",
  "this-name-is-too-long",
  7,
  "",
]
)");
    INFO(to_string(errs));
    REQUIRE(errs.size() == 5);
    CHECK(errs[0].line == 4);
    CHECK(errs[0].key == "capture.interfaces[1]");
    CHECK(contains(errs[0].message, "\"eth0\" is listed twice"));
    CHECK(errs[1].line == 5);
    CHECK(contains(errs[1].message, "is not a valid interface name"));
    CHECK(errs[2].line == 6);
    CHECK(contains(errs[2].message, "(accepted: distinct interface names of 1..15 characters)"));
    CHECK(errs[3].line == 7);
    CHECK(errs[3].message ==
          "capture.interfaces[4] must be a string, not an integer "
          "(accepted: distinct interface names of 1..15 characters)");
    CHECK(errs[4].line == 8);
    CHECK(load_one_error("[capture]\ninterfaces = \"eth0\"\n").message ==
          "capture.interfaces must be an array of interface names, not a string "
          "(accepted: distinct interface names of 1..15 characters)");
}

TEST_CASE("CPU lists must name CPUs of this machine once each", "[config]") {
    const long ncpu = sysconf(_SC_NPROCESSORS_CONF);
    const std::string last = std::to_string(ncpu - 1);
    CHECK(load_ok("[capture]\ncpus = [" + last + "]\n").capture.cpus ==
          std::vector<int>{static_cast<int>(ncpu - 1)});
    const ConfigError e = load_one_error("[pipeline]\nworker_cpus = [0, " + std::to_string(ncpu) + "]\n");
    CHECK(e.line == 2);
    CHECK(e.key == "pipeline.worker_cpus[1]");
    CHECK(e.message == "pipeline.worker_cpus[1] = " + std::to_string(ncpu) +
                           " is not a CPU of this machine (accepted: distinct CPU numbers 0.." + last + ")");
    CHECK(load_one_error("[capture]\ncpus = [-1]\n").key == "capture.cpus[0]");
    CHECK(contains(load_one_error("[capture]\ncpus = [0, 0]\n").message, "is listed twice"));
    CHECK(load_one_error("[capture]\ncpus = [\"0\"]\n").key == "capture.cpus[0]");
}

TEST_CASE("interfaces and pcap_file together are refused", "[config]") {
    const ConfigError e = load_one_error("[capture]\ninterfaces = [\"eth0\"]\n\npcap_file = \"x.pcap\"\n");
    CHECK(e.line == 4);
    CHECK(e.key == "capture.pcap_file");
    CHECK(contains(e.message, "capture.pcap_file and capture.interfaces are both set"));
}

TEST_CASE("api.listen accepts IPv4 and bracketed IPv6 with a port", "[config]") {
    for (const char* ok : {"127.0.0.1:8080", "0.0.0.0:1", "[::1]:8080", "[::]:65535", "[fe80::1]:80"}) {
        INFO(ok);
        CHECK(load_ok(std::string("[api]\nlisten = \"") + ok + "\"\n").api.listen == ok);
    }
    for (const char* bad : {"localhost:8080", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "::1:8080",
                            "[127.0.0.1]:80", "127.0.0.1:80x", ":8080", "[::1]:", "300.1.1.1:80"}) {
        INFO(bad);
        const ConfigError e = load_one_error(std::string("[api]\nlisten = \"") + bad + "\"\n");
        CHECK(e.key == "api.listen");
        CHECK(e.line == 2);
        CHECK(contains(e.message, "(accepted: ADDR:PORT, e.g. 127.0.0.1:8080 or [::1]:8080)"));
    }
}

TEST_CASE("ConfigError::to_string without a line", "[config]") {
    CHECK(ConfigError{"f.toml", 0, "", "cannot open"}.to_string() == "f.toml: cannot open");
    CHECK(ConfigError{"f.toml", 3, "k", "bad"}.to_string() == "f.toml:3: bad");
    CHECK(to_string(ConfigErrors{{"a", 1, "", "x"}, {"a", 2, "", "y"}}) == "a:1: x\na:2: y\n");
}
