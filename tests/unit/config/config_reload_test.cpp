// SIGHUP: which changes apply live and which wait for a restart.
#include "config/config_reload.hpp"

#include <algorithm>
#include <catch2/catch.hpp>

#include "config_test_util.hpp"

using namespace nms::config;
using namespace nms::config::test;

using Keys = std::vector<std::string>;

TEST_CASE("identical configs have no differences", "[config]") {
    const Config a = load_ok(std::string("[capture]\nsnaplen = 4096\n"));
    CHECK(reloadable_differences(a, a).empty());
    Config b = a;
    b.path = "other.toml";  // where it came from is not a setting
    CHECK(reloadable_differences(a, b).empty());
}

TEST_CASE("live keys and restart keys are told apart", "[config]") {
    const Config running = load_ok("");
    const Config next = load_ok(R"(
[capture]
snaplen = 4096
interfaces = ["eth1"]
[pipeline]
workers = 2
[flow]
max_flows = 4096
[flow.timeouts]
udp_s = 30
active_s = 0
[stats]
top_talkers = 50
interval_ms = 500
[output]
eve_flow = false
eve_stats = false
eve_path = "-"
[log]
level = "debug"
[api]
listen = "127.0.0.1:9999"
)");
    const ReloadPlan plan = reloadable_differences(running, next);
    CHECK(plan.live == Keys{"flow.timeouts.udp_s", "flow.timeouts.active_s", "stats.top_talkers",
                            "output.eve_flow", "output.eve_stats", "log.level"});
    CHECK(plan.restart == Keys{"capture.interfaces", "capture.snaplen", "pipeline.workers", "flow.max_flows",
                               "stats.interval_ms", "output.eve_path", "api.listen"});
}

TEST_CASE("every capture and pipeline key needs a restart", "[config]") {
    const Config base;
    Config changed;
    changed.capture.cpus = {0};
    changed.capture.bpf = "tcp";
    changed.capture.method = CaptureMethod::kPcap;
    changed.capture.replay_speed = 1;
    changed.pipeline.ring_size = 64;
    changed.pipeline.worker_cpus = {0};
    const ReloadPlan plan = reloadable_differences(base, changed);
    CHECK(plan.live.empty());
    CHECK(plan.restart == Keys{"capture.replay_speed", "capture.method", "capture.cpus", "capture.bpf",
                               "pipeline.worker_cpus", "pipeline.ring_size"});
}

TEST_CASE("apply_live copies only the live keys", "[config]") {
    Config running;
    Config next;
    next.flow.timeouts.tcp_established_s = 3600;
    next.log.level = "info";
    next.stats.top_talkers = 5;
    next.output.eve_stats = false;
    next.capture.snaplen = 9000;
    next.pipeline.workers = 7;
    apply_live(running, next);
    CHECK(running.flow.timeouts.tcp_established_s == 3600);
    CHECK(running.log.level == "info");
    CHECK(running.stats.top_talkers == 5);
    CHECK_FALSE(running.output.eve_stats);
    CHECK(running.capture.snaplen == Config{}.capture.snaplen);
    CHECK(running.pipeline.workers == 0);
    // Afterwards only restart keys remain different.
    const ReloadPlan plan = reloadable_differences(running, next);
    CHECK(plan.live.empty());
    CHECK(plan.restart == Keys{"capture.snaplen", "pipeline.workers"});
}
