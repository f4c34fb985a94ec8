#include <rapidjson/document.h>
#include <sys/wait.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

#include "doctor/doctor.hpp"
#include "fake_system.hpp"

using namespace nms::doctor;
using nms::doctor::test::FakeEthtool;
using nms::doctor::test::FakeTree;

namespace {

struct Run {
    int rc = -1;
    std::string out, err;
};

Run run_doctor(const std::vector<std::string>& args, const FakeTree& tree, FakeEthtool& eth,
               const std::string& eve = {}) {
    auto parsed = nms::config::parse_cli(args);
    REQUIRE(std::holds_alternative<nms::config::CliOptions>(parsed));
    const auto cli = std::get<nms::config::CliOptions>(parsed);
    nms::config::Config cfg;
    cfg.capture.interfaces = cli.interfaces;
    cfg.capture.block_count = 256;
    cfg.output.eve_path = cli.eve_path.value_or(eve);
    Run r;
    r.rc = run(cli, cfg, Environment{tree.root(), &eth}, r.out, r.err);
    return r;
}

Run shell(const std::string& cmd) {
    Run r;
    FILE* p = popen((cmd + " 2>&1").c_str(), "r");
    REQUIRE(p != nullptr);
    std::array<char, 4096> buf{};
    size_t n = 0;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
    const int status = pclose(p);
    r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

}  // namespace

TEST_CASE("doctor prints one block per finding, worst first, and exits 0 despite findings", "[doctor]") {
    FakeTree tree;
    tree.add_healthy_host();
    FakeEthtool eth;
    eth.add_healthy_eth0();
    eth.offload_map["eth0"].gro = true;
    const Run r = run_doctor({"doctor", "-i", "eth0"}, tree, eth);
    CHECK(r.rc == kExitOk);
    CHECK(r.err.empty());
    CHECK_THAT(r.out, Catch::Contains("interfaces: eth0"));
    CHECK_THAT(r.out,
               Catch::Contains("[WARN] eth0: receive offloads (GRO, LRO, hardware GRO)\n  found:  GRO on"));
    CHECK_THAT(r.out, Catch::Contains("  change: GRO/LRO merge TCP segments"));
    CHECK_THAT(r.out, Catch::Contains("[OK] eth0: link state"));
    CHECK_THAT(r.out, Catch::Contains("Pass --eve FILE"));
    CHECK(r.out.find("[WARN]") < r.out.find("[INFO]"));
    CHECK(r.out.find("[INFO]") < r.out.find("[OK]"));
    for (size_t pos = 0, next = 0; pos < r.out.size(); pos = next + 1) {
        next = r.out.find('\n', pos);
        if (next == std::string::npos) break;
        CHECK(next - pos <= 100);
    }
}

TEST_CASE("doctor --json is machine-readable and carries every finding", "[doctor]") {
    FakeTree tree;
    tree.add_healthy_host();
    FakeEthtool eth;
    eth.add_healthy_eth0();
    tree.write("/sys/class/net/eth0/mtu", "9000\n");
    const Run r = run_doctor({"doctor", "-i", "eth0", "--json"}, tree, eth);
    REQUIRE(r.rc == kExitOk);
    rapidjson::Document d;
    d.Parse(r.out.c_str());
    REQUIRE_FALSE(d.HasParseError());
    CHECK(d["interfaces"][0].GetString() == std::string("eth0"));
    CHECK(d["eve"].IsNull());
    CHECK(d["summary"]["worst"].GetString() == std::string("warn"));
    bool saw_mtu = false;
    for (const auto& f : d["findings"].GetArray()) {
        if (std::string(f["id"].GetString()) != "mtu.snaplen") continue;
        saw_mtu = true;
        CHECK(std::string(f["severity"].GetString()) == "warn");
        CHECK_THAT(std::string(f["advice"].GetString()), Catch::Contains("capture.snaplen = 9024"));
    }
    CHECK(saw_mtu);
}

TEST_CASE("doctor --eve explains the drop counters of the last stats event", "[doctor]") {
    FakeTree tree;
    tree.add_healthy_host();
    FakeEthtool eth;
    eth.add_healthy_eth0();
    const std::string eve = tree.root() + "/eve.json";
    std::ofstream(eve) << "{\"timestamp\":\"T\",\"event_type\":\"stats\",\"stats\":{\"uptime\":5,\"capture\":"
                          "{\"kernel_packets\":100,\"kernel_drops\":0,\"ring_full_drops\":0,\"sources\":[]},"
                          "\"decoder\":{\"pkts\":100,\"invalid\":0,\"event\":{}},\"flow\":{\"created\":10,"
                          "\"evicted\":4,\"records_dropped\":0}}}\n";
    const Run r = run_doctor({"doctor", "-i", "eth0", "--eve", eve}, tree, eth);
    REQUIRE(r.rc == kExitOk);
    CHECK_THAT(r.out, Catch::Contains("eve stats:  " + eve));
    CHECK_THAT(r.out, Catch::Contains("[WARN] engine: flow table evictions"));
    CHECK_THAT(r.out, Catch::Contains("flow.max_flows"));
    CHECK_THAT(r.out, !Catch::Contains("kernel ring drops"));

    // The configured output.eve_path is read too; no stats there yet is information, not an error.
    const std::string flows = tree.root() + "/flows.json";
    std::ofstream(flows) << "{\"event_type\":\"flow\"}\n";
    const Run q = run_doctor({"doctor", "-i", "eth0"}, tree, eth, flows);
    CHECK(q.rc == kExitOk);
    CHECK_THAT(q.out, Catch::Contains("no stats event in " + flows));
}

TEST_CASE("doctor usage errors exit 2 and name the fix", "[doctor]") {
    FakeTree tree;
    tree.add_healthy_host();
    FakeEthtool eth;
    Run r = run_doctor({"doctor", "-i", "nosuch0"}, tree, eth);
    CHECK(r.rc == kExitUsage);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::Contains("no interface 'nosuch0'"));
    CHECK_THAT(r.err, Catch::Contains("netmonsec --list"));

    r = run_doctor({"doctor", "-i", "eth0", "frobnicate"}, tree, eth);
    CHECK(r.rc == kExitUsage);
    CHECK_THAT(r.err, Catch::Contains("unexpected argument 'frobnicate'"));

    r = run_doctor({"doctor", "-i", "eth0", "--eve", tree.root() + "/missing.json"}, tree, eth);
    CHECK(r.rc == kExitUsage);
    CHECK_THAT(r.err, Catch::Contains("cannot open"));

    // No interface at all is not an error: the host checks still run.
    r = run_doctor({"doctor"}, tree, eth);
    CHECK(r.rc == kExitOk);
    CHECK_THAT(r.out, Catch::Contains("no capture interface configured"));
    CHECK_THAT(r.out, Catch::Contains("host: CPU count"));
}

TEST_CASE("the real netmonsec doctor -i lo runs as a subprocess", "[doctor]") {
    // An empty config file: built-in defaults whatever the working directory holds.
    FakeTree dir;
    dir.write("/empty.toml", "");
    const std::string bin = std::string(NMS_NETMONSEC_BIN) + " -c " + dir.root() + "/empty.toml";
    Run r = shell(bin + " doctor -i lo");
    INFO(r.out);
    CHECK(r.rc == 0);
    CHECK_THAT(r.out, Catch::Contains("interfaces: lo"));
    CHECK_THAT(r.out, Catch::Contains("lo: link state"));
    CHECK_THAT(r.out, Catch::Contains("host: CPU count"));

    r = shell(bin + " doctor -i lo --json");
    CHECK(r.rc == 0);
    rapidjson::Document d;
    d.Parse(r.out.c_str());
    REQUIRE_FALSE(d.HasParseError());
    CHECK(d["interfaces"][0].GetString() == std::string("lo"));

    r = shell(bin + " doctor -i nms-no-such0");
    CHECK(r.rc == 2);
    CHECK_THAT(r.out, Catch::Contains("--list"));
}

TEST_CASE("doctor --eve reads the stats event the real engine writes", "[doctor]") {
    // Replay a corpus frame with snaplen 64: the engine counts it truncated, the doctor explains.
    FakeTree dir;
    dir.write("/small.toml", "[capture]\nsnaplen = 64\nblock_size = 4096\n");
    const std::string bin = std::string(NMS_NETMONSEC_BIN) + " -c " + dir.root() + "/small.toml";
    const std::string eve = dir.root() + "/eve.json";
    Run r = shell(bin + " --no-api -r " NMS_CORPUS_DIR "/pcap/ndpi__dhcp-fuzz.pcapng --eve " + eve);
    INFO(r.out);
    REQUIRE(r.rc == 0);
    r = shell(bin + " doctor --json --eve " + eve);
    REQUIRE(r.rc == 0);
    rapidjson::Document d;
    d.Parse(r.out.c_str());
    REQUIRE_FALSE(d.HasParseError());
    CHECK(d["eve"].GetString() == eve);
    bool truncated = false;
    for (const auto& f : d["findings"].GetArray()) {
        if (std::string(f["id"].GetString()) == "drops.truncated") {
            truncated = true;
            CHECK_THAT(std::string(f["found"].GetString()), Catch::Contains("truncated 1 frame(s)"));
        }
    }
    CHECK(truncated);
}
