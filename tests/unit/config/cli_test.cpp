// Command-line parsing: every option, both long forms, repeated flags, bad values.
#include "config/cli.hpp"

#include <catch2/catch.hpp>

#include "config_test_util.hpp"

using namespace nms::config;
using nms::config::test::contains;

namespace {

CliOptions parse_ok(const std::vector<std::string>& args) {
    CliResult r = parse_cli(args);
    if (const auto* e = std::get_if<CliError>(&r)) FAIL("unexpected CLI error: " << e->message);
    return std::get<CliOptions>(r);
}

CliError parse_bad(const std::vector<std::string>& args) {
    CliResult r = parse_cli(args);
    REQUIRE(std::holds_alternative<CliError>(r));
    const CliError e = std::get<CliError>(r);
    CHECK(contains(e.message, "see 'netmonsec --help'"));
    CHECK(e.message.rfind("netmonsec: ", 0) == 0);
    return e;
}

}  // namespace

TEST_CASE("no arguments give the defaults", "[config]") {
    const CliOptions o = parse_ok({});
    CHECK(o == CliOptions{});
    CHECK(o.config_path == "config/netmonsec.toml");
    CHECK_FALSE(o.config_explicit);
    CHECK(o.verbosity == 0);
    CHECK_FALSE(o.workers.has_value());
}

TEST_CASE("every option in short and long form with separate and attached values", "[config]") {
    const CliOptions a =
        parse_ok({"-c", "my.toml", "-i", "eth0", "-w", "4", "--eve", "-", "-v", "--list", "--data-dir",
                  "/srv/nms", "--listen", "0.0.0.0:9000", "--no-api", "--demo", "--help", "--version"});
    CHECK(a.config_path == "my.toml");
    CHECK(a.config_explicit);
    CHECK(a.interfaces == std::vector<std::string>{"eth0"});
    CHECK(a.workers == 4u);
    CHECK(a.eve_path == "-");
    CHECK(a.verbosity == 1);
    CHECK(a.list_interfaces);
    CHECK(a.data_dir == "/srv/nms");
    CHECK(a.listen == "0.0.0.0:9000");
    CHECK(a.no_api);
    CHECK(a.demo);
    CHECK(a.show_help);
    CHECK(a.show_version);

    const CliOptions b = parse_ok({"--config=my.toml", "--interface=eth0", "--workers=4", "--eve=-",
                                   "--verbose", "--data-dir=/srv/nms", "--listen=0.0.0.0:9000", "-h", "-V"});
    CHECK(b.config_path == a.config_path);
    CHECK(b.interfaces == a.interfaces);
    CHECK(b.workers == a.workers);
    CHECK(b.eve_path == a.eve_path);
    CHECK(b.verbosity == 1);
    CHECK(b.data_dir == a.data_dir);
    CHECK(b.listen == a.listen);
    CHECK(b.show_help);
    CHECK(b.show_version);

    const CliOptions r = parse_ok({"-r", "in.pcapng", "--replay-speed", "2.5", "--loop", "0"});
    CHECK(r.pcap_file == "in.pcapng");
    CHECK(r.replay_speed == 2.5);
    CHECK(r.loop == 0u);
    const CliOptions r2 = parse_ok({"--read=in.pcap", "--replay-speed=0", "--loop=3"});
    CHECK(r2.pcap_file == "in.pcap");
    CHECK(r2.replay_speed == 0.0);
    CHECK(r2.loop == 3u);

    const CliOptions s = parse_ok({"-w8", "-ieth1", "-cx.toml", "-rf.pcap"});
    CHECK(s.workers == 8u);
    CHECK(s.interfaces == std::vector<std::string>{"eth1"});
    CHECK(s.config_path == "x.toml");
    CHECK(s.pcap_file == "f.pcap");
}

TEST_CASE("repeated interface options accumulate and verbosity counts up to debug", "[config]") {
    CHECK(parse_ok({"-i", "eth0", "-i", "eth1", "--interface", "eth2"}).interfaces ==
          std::vector<std::string>{"eth0", "eth1", "eth2"});
    CHECK(parse_ok({"-v", "-v"}).verbosity == 2);
    CHECK(parse_ok({"-vv"}).verbosity == 2);
    CHECK(parse_ok({"-vvv", "--verbose"}).verbosity == 2);
    CHECK(parse_ok({"-v"}).verbosity == 1);
    CHECK(parse_bad({"-i", "eth0", "-i", "eth0"}).message ==
          "netmonsec: invalid value 'eth0' for -i: interface 'eth0' is given twice; see 'netmonsec --help'");
}

TEST_CASE("bad numbers name the option and the accepted range", "[config]") {
    CliError e = parse_bad({"-w", "abc"});
    CHECK(e.option == "-w");
    CHECK(e.message ==
          "netmonsec: invalid value 'abc' for -w: expected an integer in 0..256; "
          "see 'netmonsec --help'");
    CHECK(parse_bad({"-w", "-1"}).option == "-w");
    CHECK(contains(parse_bad({"-w", "99999"}).message, "invalid value '99999' for -w"));
    CHECK(parse_bad({"-w", "4x"}).option == "-w");
    CHECK(parse_bad({"-w", "+4"}).option == "-w");
    CHECK(parse_bad({"-w", "18446744073709551617"}).option == "-w");
    CHECK(parse_bad({"--workers="}).option == "--workers");
    CHECK(parse_bad({"--workers=257"}).option == "--workers");
    CHECK(parse_ok({"--workers=256"}).workers == 256u);
    CHECK(parse_ok({"-w", "0"}).workers == 0u);
    CHECK(parse_bad({"--loop", "-1"}).option == "--loop");
    CHECK(parse_bad({"--loop", "4294967296"}).option == "--loop");
    CHECK(parse_ok({"--loop", "4294967295"}).loop == 4294967295u);
    e = parse_bad({"--replay-speed", "-0.5"});
    CHECK(e.message ==
          "netmonsec: invalid value '-0.5' for --replay-speed: expected a number in 0..1000000; "
          "see 'netmonsec --help'");
    CHECK(parse_bad({"--replay-speed", "nan"}).option == "--replay-speed");
    CHECK(parse_bad({"--replay-speed", "inf"}).option == "--replay-speed");
    CHECK(parse_bad({"--replay-speed", "fast"}).option == "--replay-speed");
}

TEST_CASE("bad strings are refused: empty paths and bad listen addresses and long interface names",
          "[config]") {
    CHECK(parse_bad({"-c", ""}).option == "-c");
    CHECK(parse_bad({"--eve="}).option == "--eve");
    CHECK(parse_bad({"--data-dir", ""}).option == "--data-dir");
    CHECK(parse_bad({"-r", ""}).option == "-r");
    CHECK(parse_bad({"-i", "a-very-long-interface"}).option == "-i");
    const CliError e = parse_bad({"--listen", "localhost:80"});
    CHECK(e.option == "--listen");
    CHECK(contains(e.message, "has a bad address"));
    CHECK(parse_bad({"--listen=1.2.3.4"}).option == "--listen");
    CHECK(parse_ok({"--listen", "[::1]:8080"}).listen == "[::1]:8080");
}

TEST_CASE("unknown options and missing values", "[config]") {
    CliError e = parse_bad({"--fooo"});
    CHECK(e.option == "--fooo");
    CHECK(e.message == "netmonsec: unknown option '--fooo'; see 'netmonsec --help'");
    e = parse_bad({"--worker", "4"});
    CHECK(e.message ==
          "netmonsec: unknown option '--worker' (did you mean '--workers'?); see 'netmonsec --help'");
    CHECK(parse_bad({"-x"}).message == "netmonsec: unknown option '-x'; see 'netmonsec --help'");
    CHECK(parse_bad({"-vx"}).option == "-x");
    CHECK(parse_bad({"--fooo=1"}).option == "--fooo");

    e = parse_bad({"-v", "-w"});
    CHECK(e.option == "-w");
    CHECK(e.message == "netmonsec: option '-w' (--workers) needs a value (N); see 'netmonsec --help'");
    e = parse_bad({"--eve"});
    CHECK(e.message == "netmonsec: option '--eve' needs a value (FILE|-); see 'netmonsec --help'");
    CHECK(parse_bad({"-i"}).option == "-i");
    CHECK(parse_bad({"--listen"}).option == "--listen");
    CHECK(parse_bad({"--help=yes"}).message ==
          "netmonsec: option '--help' takes no value; see 'netmonsec --help'");
}

TEST_CASE("subcommands are recorded and other words are errors", "[config]") {
    CHECK(parse_ok({"passwd"}).subcommand == "passwd");
    const CliOptions d = parse_ok({"-c", "x.toml", "doctor", "-v"});
    CHECK(d.subcommand == "doctor");
    CHECK(d.verbosity == 1);
    CHECK(d.config_path == "x.toml");
    const CliOptions p = parse_ok({"passwd", "admin"});
    CHECK(p.subcommand_args == std::vector<std::string>{"admin"});
    const CliError e = parse_bad({"start"});
    CHECK(e.option == "start");
    CHECK(e.message ==
          "netmonsec: unexpected argument 'start' (subcommands: passwd, doctor, fingerprints); "
          "see 'netmonsec --help'");
    CHECK(parse_bad({"-"}).option == "-");
    // "--" ends options: what follows is positional even if it starts with '-'.
    const CliOptions q = parse_ok({"--", "passwd", "-v"});
    CHECK(q.subcommand == "passwd");
    CHECK(q.subcommand_args == std::vector<std::string>{"-v"});
    CHECK(q.verbosity == 0);
}

TEST_CASE("argc/argv entry skips the program name", "[config]") {
    const char* argv[] = {"netmonsec", "-w", "2", "--eve=out.json", nullptr};
    const CliResult r = parse_cli(4, argv);
    REQUIRE(std::holds_alternative<CliOptions>(r));
    CHECK(std::get<CliOptions>(r).workers == 2u);
    CHECK(std::get<CliOptions>(r).eve_path == "out.json");
}

TEST_CASE("usage text documents every option", "[config]") {
    const std::string u = usage_text();
    for (const char* opt :
         {"-c, --config", "-i, --interface", "-r, --read", "--replay-speed", "--loop", "--demo", "--list",
          "-w, --workers", "--eve", "--data-dir", "--listen", "--no-api", "-v, --verbose", "-h, --help",
          "-V, --version", "passwd", "doctor", "fingerprints", "--option=value"}) {
        INFO(opt);
        CHECK(contains(u, opt));
    }
    CHECK(u.back() == '\n');
}
