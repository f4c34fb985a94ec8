// Command line over file: precedence, contradictions, and the startup load sequence.
#include "config/config_overrides.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "config_test_util.hpp"

using namespace nms::config;
using namespace nms::config::test;

namespace {

CliOptions cli(const std::vector<std::string>& args) {
    CliResult r = parse_cli(args);
    REQUIRE(std::holds_alternative<CliOptions>(r));
    return std::get<CliOptions>(r);
}

const char* const kFile = R"([capture]
interfaces = ["eth0", "eth1"]
[pipeline]
workers = 4
[output]
eve_path = "/var/log/eve.json"
[log]
level = "error"
[api]
listen = "127.0.0.1:8081"
[storage]
data_dir = "/data"
)";

}  // namespace

TEST_CASE("the command line beats the file", "[config]") {
    Config c = load_ok(kFile);
    const ConfigErrors errs = apply_cli(
        c, cli({"-w", "8", "--eve", "-", "--data-dir", "/tmp/d", "--listen", "[::1]:9000", "-i", "eth9"}));
    INFO(to_string(errs));
    CHECK(errs.empty());
    CHECK(c.pipeline.workers == 8);
    CHECK(c.output.eve_path == "-");
    CHECK(c.storage.data_dir == "/tmp/d");
    CHECK(c.api.listen == "[::1]:9000");
    CHECK(c.capture.interfaces == std::vector<std::string>{"eth9"});
    CHECK(c.api.enabled);
    CHECK_FALSE(c.demo);
}

TEST_CASE("options not given leave the file's values alone", "[config]") {
    Config c = load_ok(kFile);
    const Config before = c;
    CHECK(apply_cli(c, cli({})).empty());
    CHECK(c == before);
}

TEST_CASE("replay option replaces the file's interfaces and interface option replaces its pcap_file",
          "[config]") {
    Config c = load_ok(kFile);
    CHECK(apply_cli(c, cli({"-r", "x.pcap", "--replay-speed", "1", "--loop", "0"})).empty());
    CHECK(c.capture.pcap_file == "x.pcap");
    CHECK(c.capture.interfaces.empty());
    CHECK(c.capture.replay_speed == 1.0);
    CHECK(c.capture.loop == 0);

    Config f = load_ok("[capture]\npcap_file = \"a.pcap\"\n");
    CHECK(apply_cli(f, cli({"-i", "eth3"})).empty());
    CHECK(f.capture.pcap_file.empty());
    CHECK(f.capture.interfaces == std::vector<std::string>{"eth3"});

    // --replay-speed alone works when the file names the pcap.
    Config g = load_ok("[capture]\npcap_file = \"a.pcap\"\n");
    CHECK(apply_cli(g, cli({"--replay-speed", "3"})).empty());
    CHECK(g.capture.replay_speed == 3.0);
}

TEST_CASE("contradictory options are errors naming them", "[config]") {
    const auto errors_of = [](const std::vector<std::string>& args) {
        Config c;
        return apply_cli(c, cli(args));
    };
    ConfigErrors e = errors_of({"-r", "x.pcap", "-i", "eth0"});
    REQUIRE(e.size() == 1);
    CHECK(e[0].key == "-r");
    CHECK(e[0].to_string() ==
          "command line: -r (replay a file) and -i (capture live) cannot be used together; "
          "pick one");
    e = errors_of({"--demo", "-r", "x.pcap"});
    REQUIRE(e.size() == 1);
    CHECK(e[0].message == "--demo and -r cannot be used together; pick one");
    CHECK(errors_of({"--demo", "-i", "eth0"}).at(0).key == "--demo");
    CHECK(errors_of({"--no-api", "--listen", "127.0.0.1:1"}).at(0).key == "--listen");
    e = errors_of({"--replay-speed", "2"});
    REQUIRE(e.size() == 1);
    CHECK(e[0].message == "--replay-speed only applies to a replay; add -r FILE (or set capture.pcap_file)");
    CHECK(errors_of({"--loop", "2"}).at(0).key == "--loop");
    // All of them at once, not just the first.
    CHECK(errors_of({"--demo", "-r", "x", "-i", "eth0", "--no-api", "--listen", "127.0.0.1:1"}).size() == 4);
}

TEST_CASE("demo clears file capture sources and no-api disables the API", "[config]") {
    Config c = load_ok(kFile);
    CHECK(apply_cli(c, cli({"--demo", "--no-api"})).empty());
    CHECK(c.demo);
    CHECK(c.capture.interfaces.empty());
    CHECK(c.capture.pcap_file.empty());
    CHECK_FALSE(c.api.enabled);
}

TEST_CASE("verbosity raises the log level and never lowers it", "[config]") {
    Config c = load_ok(kFile);  // level = error
    CHECK(apply_cli(c, cli({"-v"})).empty());
    CHECK(c.log.level == "info");
    CHECK(apply_cli(c, cli({"-vv"})).empty());
    CHECK(c.log.level == "debug");
    Config d = load_ok("[log]\nlevel = \"debug\"\n");
    CHECK(apply_cli(d, cli({"-v"})).empty());
    CHECK(d.log.level == "debug");
    Config e = load_ok("");
    CHECK(apply_cli(e, cli({})).empty());
    CHECK(e.log.level == "warn");
}

TEST_CASE("load_startup_config treats the default file as optional and an explicit file as required",
          "[config]") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("nms-config-startup-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string missing = (dir / "netmonsec.toml").string();

    CliOptions o = cli({"-w", "3"});
    o.config_path = missing;  // as if config/netmonsec.toml did not exist in the CWD
    Config c = expect_ok(load_startup_config(o));
    CHECK(c.path.empty());
    CHECK(c.pipeline.workers == 3);

    const ConfigErrors e = expect_errors(load_startup_config(cli({"-c", missing})));
    CHECK(e[0].file == missing);
    CHECK(contains(e[0].message, "No such file or directory"));

    std::ofstream(missing) << "[pipeline]\nworkers = 5\n[log]\nlevel = \"info\"\n";
    c = expect_ok(load_startup_config(cli({"-c", missing, "-vv"})));
    CHECK(c.path == missing);
    CHECK(c.pipeline.workers == 5);
    CHECK(c.log.level == "debug");
    o.config_path = missing;  // default path that exists is loaded too
    CHECK(expect_ok(load_startup_config(o)).pipeline.workers == 3);

    std::ofstream(missing) << "[pipeline]\nworkers = 500\n";
    CHECK(expect_errors(load_startup_config(o)).at(0).line == 2);  // a bad default file is still an error

    const std::string shipped = std::string(NMS_SOURCE_DIR) + "/config/netmonsec.toml";
    CHECK(expect_ok(load_startup_config(cli({"-c", shipped, "-r", "x.pcap"}))).capture.pcap_file == "x.pcap");

    CHECK(expect_errors(load_startup_config(cli({"-r", "a", "-i", "b"}))).at(0).file == "command line");
    fs::remove_all(dir);
}
