// The shipped files, rendering, and the accepted shapes of every key.
#include "config/config_loader.hpp"

#include <toml++/toml.h>

#include <catch2/catch.hpp>

#include "config_test_util.hpp"

using namespace nms::config;
using namespace nms::config::test;

namespace {
const std::string kShipped = std::string(NMS_SOURCE_DIR) + "/config/netmonsec.toml";
const std::string kDev = std::string(NMS_SOURCE_DIR) + "/config/dev.toml";
}  // namespace

TEST_CASE("shipped netmonsec.toml loads to exactly the built-in defaults", "[config]") {
    Config loaded = expect_ok(load_config_file(kShipped));
    CHECK(loaded.path == kShipped);
    loaded.path.clear();
    // Field by field first, so a mismatch names its section...
    const Config defaults;
    CHECK(loaded.capture == defaults.capture);
    CHECK(loaded.pipeline == defaults.pipeline);
    CHECK(loaded.flow == defaults.flow);
    CHECK(loaded.stats == defaults.stats);
    CHECK(loaded.output == defaults.output);
    CHECK(loaded.log == defaults.log);
    CHECK(loaded.api == defaults.api);
    CHECK(loaded.storage == defaults.storage);
    CHECK(loaded.devices == defaults.devices);
    // ...then the whole struct, and the rendered text (names the key that differs).
    CHECK(loaded == defaults);
    CHECK(render_config(loaded) == render_config(defaults));
}

TEST_CASE("shipped netmonsec.toml lists every key the loader knows", "[config]") {
    const toml::table doc = toml::parse_file(kShipped);
    for (const std::string& key : config_keys()) {
        INFO(key);
        CHECK(doc.at_path(key).node() != nullptr);
    }
    CHECK(config_keys().size() >= 35);
}

TEST_CASE("dev.toml loads and differs from the defaults only where it says", "[config]") {
    const Config dev = expect_ok(load_config_file(kDev));
    CHECK(dev.capture.interfaces == std::vector<std::string>{"lo"});
    CHECK(dev.capture.block_count == 8);
    CHECK(dev.log.level == "info");
    CHECK(dev.storage.data_dir == "data");
    CHECK(dev.flow.timeouts == nms::flow::FlowTimeouts{});
}

TEST_CASE("empty or comment-only text gives the defaults", "[config]") {
    Config c = load_ok("");
    CHECK(c.path == "t.toml");
    c.path.clear();
    CHECK(c == Config{});
    c = load_ok("# nothing here\n\n   \n[capture]\n# still nothing\n");
    c.path.clear();
    CHECK(c == Config{});
}

TEST_CASE("every kind of key is read into its field", "[config]") {
    const Config c = load_ok(R"(
[capture]
interfaces = ["eth1", "eth2"]
replay_speed = 2
loop = 0
method = "pcap"
threads_per_interface = 4
cpus = [0]
snaplen = 9216
block_size = 4194304
block_count = 2
block_timeout_ms = 100
promiscuous = false
fanout_defrag = false
fanout_group = 65535
bpf = "not port 22"
[pipeline]
workers = 256
worker_cpus = [0]
ring_size = 1048576
ring_bytes = 2097152
[flow]
max_flows = 1024
[flow.timeouts]
tcp_new_s = 1
tcp_established_s = 4294967295
active_s = 0
[stats]
top_talkers = 1000
[output]
eve_path = "-"
eve_flow = false
[log]
level = "debug"
[api]
enabled = false
listen = "[::1]:9090"
[storage]
data_dir = "/tmp/nms data"
)");
    CHECK(c.capture.interfaces == std::vector<std::string>{"eth1", "eth2"});
    CHECK(c.capture.replay_speed == 2.0);
    CHECK(c.capture.loop == 0);
    CHECK(c.capture.method == CaptureMethod::kPcap);
    CHECK(c.capture.threads_per_interface == 4);
    CHECK(c.capture.cpus == std::vector<int>{0});
    CHECK(c.capture.snaplen == 9216);
    CHECK(c.capture.block_size == 4194304);
    CHECK(c.capture.block_count == 2);
    CHECK(c.capture.block_timeout_ms == 100);
    CHECK_FALSE(c.capture.promiscuous);
    CHECK_FALSE(c.capture.fanout_defrag);
    CHECK(c.capture.fanout_group == 65535);
    CHECK(c.capture.bpf == "not port 22");
    CHECK(c.pipeline.workers == 256);
    CHECK(c.pipeline.worker_cpus == std::vector<int>{0});
    CHECK(c.pipeline.ring_size == 1048576);
    CHECK(c.pipeline.ring_bytes == 2097152);
    CHECK(c.flow.max_flows == 1024);
    CHECK(c.flow.timeouts.tcp_new_s == 1);
    CHECK(c.flow.timeouts.tcp_established_s == 4294967295u);
    CHECK(c.flow.timeouts.active_s == 0);
    CHECK(c.flow.timeouts.udp_s == 120);  // untouched keys keep defaults
    CHECK(c.stats.top_talkers == 1000);
    CHECK(c.output.eve_path == "-");
    CHECK_FALSE(c.output.eve_flow);
    CHECK(c.output.eve_stats);
    CHECK(c.log.level == "debug");
    CHECK_FALSE(c.api.enabled);
    CHECK(c.api.listen == "[::1]:9090");
    CHECK(c.storage.data_dir == "/tmp/nms data");
}

TEST_CASE("dotted keys and inline tables are the same as sections", "[config]") {
    const Config a = load_ok("capture.snaplen = 4096\nflow.timeouts.udp_s = 30\n");
    const Config b = load_ok("capture = { snaplen = 4096 }\nflow = { timeouts = { udp_s = 30 } }\n");
    CHECK(a.capture.snaplen == 4096);
    CHECK(a.flow.timeouts.udp_s == 30);
    CHECK(a == b);
}

TEST_CASE("render_config round-trips a non-default config exactly", "[config]") {
    Config c;
    c.capture.interfaces = {"eth0", "wlan0"};
    c.capture.replay_speed = 0.1;  // not exactly representable: shortest text must read back
    c.capture.method = CaptureMethod::kPcap;
    c.capture.cpus = {0};
    c.capture.bpf = "host \"10.0.0.1\" and \\ tab\there\nor\r\nnext line";
    c.pipeline.workers = 3;
    c.flow.timeouts.active_s = 0;
    c.output.eve_path = "/var/log/eve.json";
    c.log.level = "debug";
    c.api.listen = "0.0.0.0:1";
    c.storage.data_dir = "d";
    const std::string text = render_config(c);
    INFO(text);
    Config back = load_ok(text);
    back.path.clear();
    CHECK(back == c);
    CHECK(contains(text, "capture.replay_speed = 0.1\n"));
    CHECK(contains(text, "capture.method = \"pcap\"\n"));
}

TEST_CASE("[devices] section: CIDR list, sizes and paths", "[config]") {
    Config c = load_ok(R"([devices]
local_networks = ["10.1.0.0/16", "2001:db8::/32"]
max_devices = 100
p0f_file = ""
site_fingerprints = false
)");
    CHECK(c.devices.local_networks == std::vector<std::string>{"10.1.0.0/16", "2001:db8::/32"});
    CHECK(c.devices.max_devices == 100);
    CHECK(c.devices.p0f_file.empty());
    CHECK_FALSE(c.devices.site_fingerprints);
    CHECK(Config{}.devices.local_networks.size() == 6);
    CHECK(load_bad("[devices]\nlocal_networks = [\"10.0.0.0/33\", \"nope\"]\n").size() == 2);
}
