#include "doctor/checks.hpp"

#include <catch2/catch.hpp>

#include "fake_system.hpp"

using namespace nms::doctor;
using nms::doctor::test::FakeEthtool;
using nms::doctor::test::FakeTree;

namespace {

// Matches the fake tree's healthy host: 4 fanout members on CPUs 0-3 (IRQs are on 4-7),
// 4 unpinned workers, 4 x 64 MiB of ring at 10 Gb/s.
nms::config::Config healthy_config() {
    nms::config::Config cfg;
    cfg.capture.interfaces = {"eth0"};
    cfg.capture.threads_per_interface = 4;
    cfg.capture.cpus = {0, 1, 2, 3};
    cfg.pipeline.workers = 4;
    return cfg;
}

struct Fixture {
    FakeTree tree;
    FakeEthtool eth;
    nms::config::Config cfg = healthy_config();

    Fixture() {
        tree.add_healthy_host();
        eth.add_healthy_eth0();
    }

    Findings run() {
        SystemProbe probe(tree.root(), &eth);
        const HostFacts host = probe.host();
        const ThreadPlan plan = plan_threads(cfg, host.online_cpus);
        Findings f = check_interface(probe.interface("eth0"), cfg, plan, host);
        Findings h = check_host(host, cfg, plan);
        f.insert(f.end(), h.begin(), h.end());
        return f;
    }
};

const Finding& by_id(const Findings& findings, const std::string& id) {
    for (const auto& f : findings) {
        if (f.id == id) return f;
    }
    FAIL("no finding " << id);
    static Finding none;
    return none;
}

bool has_id(const Findings& findings, const std::string& id) {
    for (const auto& f : findings) {
        if (f.id == id) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("a well-tuned host gives only ok findings", "[doctor]") {
    Fixture fx;
    const Findings f = fx.run();
    for (const auto& x : f) {
        INFO(x.id << ": " << x.found << " / " << x.advice);
        CHECK(x.severity == Severity::kOk);
        CHECK(x.advice.empty());
    }
    for (const char* id : {"link.carrier", "nic.driver", "nic.promisc", "mtu.snaplen", "ring.size",
                           "nic.queues", "irq.affinity", "offload.gro", "offload.tso", "offload.rx_vlan",
                           "host.privileges", "host.cpus", "host.rmem", "host.backlog"}) {
        CHECK(has_id(f, id));
    }
    CHECK_THAT(by_id(f, "ring.size").found, Catch::Contains("215 ms"));
}

TEST_CASE("GRO or LRO on is a warning with the ethtool command", "[doctor]") {
    Fixture fx;
    fx.eth.offload_map["eth0"].gro = true;
    const Finding g = by_id(fx.run(), "offload.gro");
    CHECK(g.severity == Severity::kWarn);
    CHECK_THAT(g.found, Catch::Contains("GRO on"));
    CHECK_THAT(g.advice, Catch::Contains("ethtool -K eth0 gro off lro off"));
    CHECK_THAT(g.advice, !Catch::Contains("rx-gro-hw"));

    fx.eth.offload_map["eth0"].gro = false;
    fx.eth.offload_map["eth0"].gro_hw = true;
    CHECK_THAT(by_id(fx.run(), "offload.gro").advice, Catch::Contains("rx-gro-hw off"));

    fx.eth.offload_map["eth0"].gro_hw = false;
    fx.eth.offload_map["eth0"].lro = true;
    CHECK(by_id(fx.run(), "offload.gro").severity == Severity::kWarn);
}

TEST_CASE("TSO and GSO on is information only, unreadable offloads say so", "[doctor]") {
    Fixture fx;
    fx.eth.offload_map["eth0"].tso = true;
    const Finding t = by_id(fx.run(), "offload.tso");
    CHECK(t.severity == Severity::kInfo);
    CHECK_THAT(t.advice, Catch::Contains("tso off gso off"));
    fx.eth.offload_map.clear();
    const Findings f = fx.run();
    CHECK(by_id(f, "offload.gro").severity == Severity::kInfo);
    CHECK_THAT(by_id(f, "offload.gro").advice, Catch::Contains("ethtool -k eth0"));
}

TEST_CASE("a NIC IRQ on a capture CPU is a warning naming the IRQ and spare CPUs", "[doctor]") {
    Fixture fx;
    fx.cfg.pipeline.worker_cpus = {4, 5};
    fx.tree.write("/proc/irq/42/smp_affinity_list", "1\n");
    const Finding i = by_id(fx.run(), "irq.affinity");
    CHECK(i.severity == Severity::kWarn);
    CHECK_THAT(i.found, Catch::Contains("42 (eth0-TxRx-2) -> CPU 1"));
    CHECK_THAT(i.found, Catch::Contains("capture threads on CPU 0-3"));
    CHECK_THAT(i.advice, Catch::Contains("echo 6-7 > /proc/irq/42/smp_affinity_list"));
    CHECK_THAT(i.advice, !Catch::Contains("/proc/irq/41/"));
}

TEST_CASE("IRQs on worker CPUs are info and unpinned capture threads get pinning advice", "[doctor]") {
    Fixture fx;
    fx.cfg.pipeline.worker_cpus = {4, 5, 6, 7};
    CHECK(by_id(fx.run(), "irq.affinity").severity == Severity::kInfo);

    fx.cfg.capture.cpus.clear();
    fx.cfg.pipeline.worker_cpus.clear();
    fx.cfg.pipeline.workers = 8;  // 12 threads > 8 CPUs: no automatic pinning
    const Findings f = fx.run();
    CHECK(by_id(f, "irq.affinity").severity == Severity::kInfo);
    CHECK_THAT(by_id(f, "irq.affinity").advice, Catch::Contains("capture.cpus"));
    CHECK(by_id(f, "host.cpus").severity == Severity::kWarn);
    CHECK_THAT(by_id(f, "host.cpus").advice, Catch::Contains("pipeline.workers = 4"));
}

TEST_CASE("the automatic CPU plan puts capture on the first CPUs, where IRQs often land", "[doctor]") {
    Fixture fx;
    fx.cfg.capture.cpus.clear();
    fx.cfg.capture.threads_per_interface = 1;
    fx.cfg.capture.block_count = 256;
    fx.cfg.pipeline.workers = 0;
    fx.tree.write("/proc/irq/40/smp_affinity_list", "0\n");
    const ThreadPlan p = plan_threads(fx.cfg, {0, 1, 2, 3, 4, 5, 6, 7});
    CHECK(p.auto_pinned);
    CHECK(p.capture_cpus == std::vector<int>{0});
    CHECK(p.workers == 7);
    CHECK(p.worker_cpus == std::vector<int>{1, 2, 3, 4, 5, 6, 7});
    const Finding i = by_id(fx.run(), "irq.affinity");
    CHECK(i.severity == Severity::kWarn);
    CHECK_THAT(i.found, Catch::Contains("automatic plan"));
    // No spare CPU: move the IRQ onto the workers.
    CHECK_THAT(i.advice, Catch::Contains("echo 1-7 > /proc/irq/40/smp_affinity_list"));
}

TEST_CASE("a ring too small for 10 Gb/s recommends a block_count for 200 ms", "[doctor]") {
    Fixture fx;
    fx.cfg.capture.threads_per_interface = 1;
    fx.cfg.capture.cpus = {0};
    const Finding r = by_id(fx.run(), "ring.size");  // 64 MiB at 10 Gb/s = 54 ms
    CHECK(r.severity == Severity::kWarn);
    CHECK_THAT(r.found, Catch::Contains("54 ms"));
    // 200 ms of 10 Gb/s = 250 MB = 238.4 blocks of 1 MiB.
    CHECK_THAT(r.advice, Catch::Contains("capture.block_count = 239"));

    fx.cfg.capture.block_count = 8;
    CHECK(by_id(fx.run(), "ring.size").severity == Severity::kProblem);

    fx.tree.write("/sys/class/net/eth0/speed", "1000\n");  // same 8 MiB at 1 Gb/s: 67 ms
    CHECK(by_id(fx.run(), "ring.size").severity == Severity::kWarn);
    fx.tree.write("/sys/class/net/eth0/speed", "-1\n");  // link without a speed
    const Finding u = by_id(fx.run(), "ring.size");
    CHECK(u.severity == Severity::kInfo);
    CHECK_THAT(u.found, Catch::Contains("speed unknown"));
    CHECK(ring_milliseconds(125'000'000, 10000) == Approx(100.0));
}

TEST_CASE("small rmem_max is reported with the sysctl, honestly marked as not limiting mmap capture",
          "[doctor]") {
    Fixture fx;
    fx.tree.write("/proc/sys/net/core/rmem_max", "212992\n");
    const Finding r = by_id(fx.run(), "host.rmem");
    CHECK(r.severity == Severity::kInfo);
    CHECK_THAT(r.found, Catch::Contains("rmem_max 208 KiB"));
    CHECK_THAT(r.advice, Catch::Contains("sysctl -w net.core.rmem_max=33554432"));
}

TEST_CASE("softnet drops and a small backlog are reported", "[doctor]") {
    Fixture fx;
    fx.tree.write("/proc/sys/net/core/netdev_max_backlog", "1000\n");
    CHECK(by_id(fx.run(), "host.backlog").severity == Severity::kInfo);
    fx.tree.write("/proc/net/softnet_stat", "000000ff 00000010 00000003\n");
    const Finding b = by_id(fx.run(), "host.backlog");
    CHECK(b.severity == Severity::kWarn);
    CHECK_THAT(b.found, Catch::Contains("softnet drops 16"));
    CHECK_THAT(b.advice, Catch::Contains("netdev_max_backlog=250000"));
    CHECK_THAT(b.advice, Catch::Contains("netdev_budget=600"));
}

TEST_CASE("MTU above snaplen warns that frames are truncated", "[doctor]") {
    Fixture fx;
    fx.tree.write("/sys/class/net/eth0/mtu", "9000\n");
    const Finding m = by_id(fx.run(), "mtu.snaplen");
    CHECK(m.severity == Severity::kWarn);
    CHECK_THAT(m.found, Catch::Contains("frames up to 9018 bytes; capture.snaplen = 2048"));
    CHECK_THAT(m.advice, Catch::Contains("capture.snaplen = 9024"));
    fx.cfg.capture.snaplen = 9216;
    CHECK(by_id(fx.run(), "mtu.snaplen").severity == Severity::kOk);
}

TEST_CASE("link down, missing privileges and unknown CPUs are problems", "[doctor]") {
    Fixture fx;
    fx.tree.write("/sys/class/net/eth0/carrier", "0\n");
    fx.tree.write("/proc/self/status", "CapEff:\t0000000000000000\n");
    fx.cfg.capture.cpus = {0, 1, 2, 9};
    const Findings f = fx.run();
    CHECK(by_id(f, "link.carrier").severity == Severity::kProblem);
    CHECK(by_id(f, "host.privileges").severity == Severity::kProblem);
    CHECK(by_id(f, "host.cpus").severity == Severity::kProblem);
    CHECK_THAT(by_id(f, "host.cpus").found, Catch::Contains("CPU(s) 9 are not online"));
    CHECK(worst(f) == Severity::kProblem);
}

TEST_CASE("uneven RSS, unused channels and a single capture thread on many queues", "[doctor]") {
    Fixture fx;
    fx.eth.rss_map["eth0"] = std::vector<uint32_t>(128, 0);
    const Finding q = by_id(fx.run(), "nic.queues");
    CHECK(q.severity == Severity::kWarn);
    CHECK_THAT(q.advice, Catch::Contains("ethtool -X eth0 equal 4"));

    fx.eth.rss_map.clear();
    fx.eth.channel_map["eth0"].max_combined = 16;
    fx.cfg.capture.threads_per_interface = 1;
    fx.cfg.capture.block_count = 256;
    const Finding c = by_id(fx.run(), "nic.queues");
    CHECK(c.severity == Severity::kInfo);
    CHECK_THAT(c.advice, Catch::Contains("ethtool -L eth0 combined 8"));
    CHECK_THAT(c.advice, Catch::Contains("capture.threads_per_interface = 4"));
}

TEST_CASE("promiscuous off with capture.promiscuous = false warns", "[doctor]") {
    Fixture fx;
    fx.cfg.capture.promiscuous = false;
    fx.tree.write("/sys/class/net/eth0/flags", "0x1003\n");
    const Finding p = by_id(fx.run(), "nic.promisc");
    CHECK(p.severity == Severity::kWarn);
    CHECK_THAT(p.advice, Catch::Contains("capture.promiscuous = true"));
    fx.cfg.capture.promiscuous = true;
    CHECK(by_id(fx.run(), "nic.promisc").severity == Severity::kOk);
}

TEST_CASE("a virtual interface skips the NIC-only checks", "[doctor]") {
    Fixture fx;
    fx.tree.remove("/sys/class/net/eth0/device");
    fx.eth = FakeEthtool{};
    const Findings f = fx.run();
    CHECK(by_id(f, "nic.driver").severity == Severity::kInfo);
    CHECK_FALSE(has_id(f, "irq.affinity"));
    CHECK_FALSE(has_id(f, "nic.queues"));
}

// ---- drop counters (from an EVE stats event, later the REST API) ----

TEST_CASE("no drops: one quiet ok finding", "[doctor]") {
    DropCounters c;
    c.origin = "test";
    c.kernel_packets = 1000;
    c.decoder_packets = 1000;
    c.sources.push_back({"eth0", 1000, 0, 0, 0, 0});
    const Findings f = check_drops(c, healthy_config(), 10000);
    REQUIRE(f.size() == 1);
    CHECK(f[0].id == "drops.none");
    CHECK(f[0].severity == Severity::kOk);
    CHECK_THAT(f[0].found, Catch::Contains("1000 packets"));
}

TEST_CASE("each non-zero drop counter gets its explanation", "[doctor]") {
    DropCounters c;
    c.origin = "test";
    c.uptime_s = 60;
    c.kernel_packets = 10000;
    c.kernel_drops = 500;
    c.ring_full_drops = 20;
    c.sources.push_back({"eth0#0", 9500, 300, 20, 7, 0});
    c.sources.push_back({"eth0#1", 0, 200, 0, 0, 2});
    c.decoder_packets = 9500;
    c.decoder_invalid = 12;
    c.decode_events = {{"ipv4_truncated", 7}, {"unknown_ethertype", 5}};
    c.flows_created = 1000;
    c.flows_evicted = 50;
    c.records_dropped = 3;
    c.fragments_unmatched = 4;
    auto cfg = healthy_config();
    const Findings f = check_drops(c, cfg, 10000);

    const Finding k = by_id(f, "drops.kernel");
    CHECK(k.severity == Severity::kProblem);  // 5 %
    CHECK_THAT(k.found, Catch::Contains("kernel_drops 500 of 10000 packets (5.000%)"));
    CHECK_THAT(k.found, Catch::Contains("eth0#0: 300; eth0#1: 200"));
    CHECK_THAT(k.advice, Catch::Contains("capture.block_count"));
    CHECK_THAT(k.advice, Catch::Contains("x 4 fanout thread(s) = 215 ms at 10 Gb/s"));
    CHECK_THAT(k.advice, Catch::Contains("irq.affinity"));

    const Finding r = by_id(f, "drops.ring_full");
    CHECK(r.severity == Severity::kWarn);
    CHECK_THAT(r.advice, Catch::Contains("pipeline.workers = 4"));
    CHECK_THAT(r.advice, Catch::Contains("pipeline.ring_size"));
    CHECK_THAT(r.advice, Catch::Contains("pipeline.ring_bytes (32 MiB)"));

    CHECK_THAT(by_id(f, "drops.truncated").advice, Catch::Contains("capture.snaplen"));
    CHECK_THAT(by_id(f, "drops.bad_records").found, Catch::Contains("bad_records 2"));

    const Finding d = by_id(f, "decode.events");
    CHECK(d.severity == Severity::kWarn);  // truncated headers + truncated frames: snaplen
    CHECK_THAT(d.found, Catch::Contains("ipv4_truncated 7; unknown_ethertype 5"));
    CHECK_THAT(d.advice, Catch::Contains("unknown_ethertype: non-IP Layer 2 traffic"));

    const Finding e = by_id(f, "flows.evicted");
    CHECK_THAT(e.found,
               Catch::Contains("evicted 50 of 1000 flows created (5.00%), flow.max_flows = 1048576"));
    CHECK_THAT(e.advice, Catch::Contains("flow.max_flows (e.g. to 2097152)"));
    CHECK(by_id(f, "flows.records_dropped").severity == Severity::kWarn);
    CHECK(by_id(f, "flows.fragments_unmatched").severity == Severity::kInfo);
    CHECK_FALSE(has_id(f, "drops.none"));
}

TEST_CASE("a small kernel drop rate is a warning not a problem and decode events alone are info",
          "[doctor]") {
    DropCounters c;
    c.kernel_packets = 1'000'000;
    c.kernel_drops = 10;
    c.decoder_invalid = 3;
    c.decode_events = {{"unknown_ethertype", 3}};
    const Findings f = check_drops(c, healthy_config(), std::nullopt);
    CHECK(by_id(f, "drops.kernel").severity == Severity::kWarn);
    CHECK_THAT(by_id(f, "drops.kernel").advice, !Catch::Contains(" ms at "));
    CHECK(by_id(f, "decode.events").severity == Severity::kInfo);
    CHECK_THAT(explain_decode_event("tcp_bad_header_length"), Catch::Contains("malformed"));
    CHECK_THAT(explain_decode_event("gtp_truncated"), Catch::Contains("snaplen"));
}
