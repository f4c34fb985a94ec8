// Every capture of the shared corpus opens and yields exactly the frame count tshark saw.
#include <dirent.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <rapidjson/document.h>
#include <sstream>
#include <string>
#include <vector>

#include "capture/pcap_file_source.hpp"
#include "collecting_sink.hpp"

using nms::capture::PcapFileOptions;
using nms::capture::PcapFileSource;
using nms::capture::PollResult;

namespace {

class CountingSink final : public nms::capture::FrameSink {
 public:
    void on_frame(const nms::capture::RawFrame& f) noexcept override {
        ++frames;
        if (f.caplen == 0 || f.caplen > f.wirelen) ++bad;
    }
    void end_batch() noexcept override {}
    uint64_t frames = 0;
    uint64_t bad = 0;
};

std::vector<std::string> corpus_files() {
    std::vector<std::string> names;
    DIR* dir = opendir(NMS_CORPUS_DIR "/pcap");
    if (dir == nullptr) return names;
    while (const dirent* e = readdir(dir)) {
        const std::string n = e->d_name;
        if (n.size() > 5 && (n.ends_with(".pcap") || n.ends_with(".pcapng"))) names.push_back(n);
    }
    closedir(dir);
    return names;
}

int64_t expected_packets(const std::string& name) {
    std::ifstream in(std::string(NMS_CORPUS_DIR "/expected/") + name + ".json");
    std::stringstream ss;
    ss << in.rdbuf();
    rapidjson::Document doc;
    doc.Parse(ss.str().c_str());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("capture")) return -1;
    const auto& cap = doc["capture"];
    if (!cap.IsObject() || !cap.HasMember("packets") || !cap["packets"].IsInt64()) return -1;
    return cap["packets"].GetInt64();
}

}  // namespace

TEST_CASE("corpus: every capture yields exactly tshark's frame count", "[capture]") {
    const auto names = corpus_files();
    REQUIRE(names.size() >= 80);
    for (const auto& name : names) {
        INFO(name);
        const int64_t expected = expected_packets(name);
        REQUIRE(expected >= 0);
        PcapFileOptions o;
        o.path = std::string(NMS_CORPUS_DIR "/pcap/") + name;
        std::string error;
        auto src = PcapFileSource::open(o, error);
        INFO(error);
        REQUIRE(src);
        CountingSink sink;
        CHECK(nms::capture::test::drain(*src, sink) == PollResult::kEof);
        CHECK(static_cast<int64_t>(sink.frames) == expected);
        CHECK(sink.bad == 0);
        CHECK(src->counters().frames == sink.frames);
    }
}
