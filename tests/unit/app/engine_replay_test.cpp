// The whole engine on real captures: capture thread -> rings -> workers -> output/EVE.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "app/engine.hpp"

using namespace nms;

namespace {

struct TempFile {
    std::string path;
    TempFile() {
        char tmpl[] = "/tmp/nms-eve-XXXXXX";
        const int fd = mkstemp(tmpl);
        REQUIRE(fd >= 0);
        close(fd);
        path = tmpl;
    }
    ~TempFile() { unlink(path.c_str()); }
};

std::vector<rapidjson::Document> read_events(const std::string& path, const char* type) {
    std::vector<rapidjson::Document> out;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        rapidjson::Document d;
        d.Parse(line.c_str());
        REQUIRE_FALSE(d.HasParseError());
        if (std::string(d["event_type"].GetString()) == type) out.push_back(std::move(d));
    }
    return out;
}

app::RunSummary replay(const std::string& pcap, uint32_t workers, const std::string& eve, uint32_t loop = 1) {
    config::Config cfg;
    cfg.capture.pcap_file = pcap;
    cfg.capture.loop = loop;
    cfg.pipeline.workers = workers;
    cfg.pipeline.ring_size = 256;
    cfg.flow.max_flows = 4096;
    cfg.output.eve_path = eve;
    app::Engine engine(cfg);
    auto err = engine.open();
    REQUIRE_FALSE(err.has_value());
    engine.start();
    while (!engine.captures_finished()) usleep(1000);
    return engine.shutdown();
}

const std::string kCorpus = std::string(NMS_CORPUS_DIR) + "/pcap/";

}  // namespace

TEST_CASE("Replay of a VLAN-tagged HTTP capture yields tshark's one flow and counts", "[app]") {
    for (uint32_t workers : {1u, 3u}) {
        TempFile eve;
        const auto s = replay(kCorpus + "zeek__http-vlan-0.pcap", workers, eve.path);
        CHECK(s.packets == 14);
        CHECK(s.flows == 1);
        CHECK(s.drops == 0);
        auto flows = read_events(eve.path, "flow");
        REQUIRE(flows.size() == 1);
        const auto& f = flows[0];
        CHECK(std::string(f["src_ip"].GetString()) == "141.142.228.5");
        CHECK(f["src_port"].GetUint() == 59856);
        CHECK(std::string(f["dest_ip"].GetString()) == "192.150.187.43");
        CHECK(f["dest_port"].GetUint() == 80);
        CHECK(f["flow"]["pkts_toserver"].GetUint() == 7);
        CHECK(f["flow"]["pkts_toclient"].GetUint() == 7);
        CHECK(f["flow"]["bytes_toserver"].GetUint64() == 638);
        CHECK(f["flow"]["bytes_toclient"].GetUint64() == 5505);
        CHECK(std::string(f["flow"]["reason"].GetString()) == "shutdown");
        // A replay at full speed writes exactly one stats event, at the end.
        auto stats = read_events(eve.path, "stats");
        REQUIRE(stats.size() == 1);
        CHECK(stats[0]["stats"]["decoder"]["pkts"].GetUint64() == 14);
        // Both hosts are top talkers, each with every byte of the conversation (in + out).
        const auto& talkers = stats[0]["stats"]["top_talkers"];
        REQUIRE(talkers.Size() == 2);
        for (const auto& t : talkers.GetArray()) {
            CHECK(t["bytes_in"].GetUint64() + t["bytes_out"].GetUint64() == 6143);
            CHECK(t["flows"].GetUint() == 1);
        }
    }
}

TEST_CASE("Replay loops the file and every packet is counted with several workers", "[app]") {
    TempFile eve;
    const auto once = replay(kCorpus + "ndpi__android.pcap", 2, eve.path);
    TempFile eve2;
    const auto twice = replay(kCorpus + "ndpi__android.pcap", 2, eve2.path, 2);
    CHECK(once.packets > 0);
    CHECK(twice.packets == 2 * once.packets);
    CHECK(twice.bytes == 2 * once.bytes);
    CHECK(twice.drops == 0);
}

TEST_CASE("Engine refuses a missing capture file with a clear message", "[app]") {
    config::Config cfg;
    cfg.capture.pcap_file = "/nonexistent/x.pcap";
    app::Engine engine(cfg);
    auto err = engine.open();
    REQUIRE(err.has_value());
    CHECK(err->find("/nonexistent/x.pcap") != std::string::npos);
}
