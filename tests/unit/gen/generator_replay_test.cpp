// Generated captures meet their readers: the engine counts exactly the flows the generator
// made, and tshark (when installed) decodes every protocol without a malformed packet.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "app/engine.hpp"
#include "gen/pcap_writer.hpp"
#include "gen/traffic_generator.hpp"

using namespace nms;

namespace {

struct TempPath {
    std::string path;
    explicit TempPath(const char* suffix) {
        char tmpl[] = "/tmp/nms-gen-XXXXXX";
        const int fd = mkstemp(tmpl);
        REQUIRE(fd >= 0);
        close(fd);
        unlink(tmpl);
        path = std::string(tmpl) + suffix;
    }
    ~TempPath() { unlink(path.c_str()); }
};

gen::GenStats write_capture(const gen::GenOptions& o, const std::string& path) {
    gen::TrafficGenerator g(o);
    gen::PcapWriter w;
    std::string err;
    REQUIRE(w.open(path, 65535, err));
    gen::Frame f;
    while (g.next(f)) REQUIRE(w.write(f.data, f.len, f.ts_ns));
    REQUIRE(w.close());
    return g.stats();
}

gen::GenOptions mixed_options() {
    gen::GenOptions o;
    o.flows = 300;
    o.packets = 30000;
    o.seed = 11;
    o.v6_share = 0.25;
    using K = gen::AnomalyKind;
    o.anomalies = {{K::kPortScan, 200}, {K::kHostSweep, 40}, {K::kSynFlood, 300}, {K::kDnsTunnel, 30},
                   {K::kNxdomainStorm, 50}, {K::kArpSpoof, 10}, {K::kExfiltration, 1}, {K::kBruteForce, 5},
                   {K::kLateralMovement, 5}};
    return o;
}

std::string run(const std::string& cmd) {
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
    return out;
}

}  // namespace

TEST_CASE("The engine finds exactly the flows the generator made", "[gen][app]") {
    for (auto mix : {gen::Mix::kL7, gen::Mix::kImix}) {
        TempPath pcap(".pcap");
        auto o = mixed_options();
        o.mix = mix;
        const auto made = write_capture(o, pcap.path);
        REQUIRE(made.packets == o.packets);
        REQUIRE(made.flows > 1000);

        config::Config cfg;
        cfg.capture.pcap_file = pcap.path;
        cfg.pipeline.workers = 2;
        cfg.flow.max_flows = 1u << 17;
        app::Engine engine(cfg);
        REQUIRE_FALSE(engine.open().has_value());
        engine.start();
        while (!engine.captures_finished()) usleep(1000);
        const auto s = engine.shutdown();
        CHECK(s.packets == made.packets);
        CHECK(s.bytes == made.bytes);
        CHECK(s.invalid == 0);
        CHECK(s.drops == 0);
        CHECK(s.flows == made.flows);
    }
}

TEST_CASE("tshark reads a generated capture without malformed packets", "[gen][tshark]") {
    if (run("command -v tshark").empty()) {
        WARN("tshark is not installed: skipped");
        return;
    }
    TempPath pcap(".pcap");
    auto o = mixed_options();
    o.packets = 20000;
    write_capture(o, pcap.path);
    const std::string phs = run("tshark -n -r " + pcap.path + " -q -z io,phs 2>&1");
    INFO(phs);
    for (const char* proto : {" dns ", " http ", " tls ", " ssh ", " dhcp ", " mdns ", " arp ", " quic ", " smb2 "})
        CHECK(phs.find(proto) != std::string::npos);
    CHECK(phs.find("malformed") == std::string::npos);
    const std::string bad = run("tshark -n -r " + pcap.path + " -Y '_ws.malformed || _ws.expert.severity == error' 2>/dev/null | wc -l");
    CHECK(std::stoi(bad) == 0);
    // QUIC Initials are really protected with the v1 initial keys: tshark decrypts the SNI.
    const std::string sni = run("tshark -n -r " + pcap.path +
                                " -Y 'quic && tls.handshake.extensions_server_name' 2>/dev/null | wc -l");
    CHECK(std::stoi(sni) > 0);
}
