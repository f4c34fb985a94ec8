#include "doctor/eve_stats_reader.hpp"

#include <catch2/catch.hpp>
#include <fstream>

#include "fake_system.hpp"

using namespace nms::doctor;
using nms::doctor::test::FakeTree;

namespace {

std::string stats_line(uint64_t kernel_drops, const std::string& ts = "2024-01-01T00:00:10.000000+0000") {
    return "{\"timestamp\":\"" + ts +
           "\",\"event_type\":\"stats\",\"stats\":{\"uptime\":10,"
           "\"capture\":{\"kernel_packets\":1000,\"kernel_drops\":" +
           std::to_string(kernel_drops) +
           ",\"ring_full_drops\":3,\"sources\":[{\"name\":\"eth0#0\",\"frames\":990,\"kernel_drops\":" +
           std::to_string(kernel_drops) +
           ",\"ring_full_drops\":3,\"truncated\":4,\"bad_records\":0}]},"
           "\"decoder\":{\"pkts\":990,\"bytes\":99000,\"invalid\":6,\"ipv4\":900,"
           "\"event\":{\"ipv4_truncated\":4,\"unknown_ethertype\":2}},"
           "\"flow\":{\"active\":5,\"created\":80,\"timeout\":70,\"evicted\":9,\"records_dropped\":1,"
           "\"fragments_unmatched\":2},\"rates\":{\"pps\":99.5,\"bps\":1000.0},\"top_talkers\":[]}}";
}

const std::string kFlowLine =
    "{\"timestamp\":\"2024-01-01T00:00:01.000000+0000\",\"flow_id\":1,\"event_type\":\"flow\",\"src_ip\":"
    "\"10.0.0.1\","
    "\"proto\":\"UDP\",\"app_proto\":\"unknown\",\"flow\":{\"pkts_toserver\":1,\"state\":\"new\",\"reason\":"
    "\"stats\"}}";

}  // namespace

TEST_CASE("a stats event line becomes drop counters", "[doctor]") {
    const auto c = parse_stats_event(stats_line(10));
    REQUIRE(c);
    CHECK(c->uptime_s == 10);
    CHECK(c->kernel_packets == 1000);
    CHECK(c->kernel_drops == 10);
    CHECK(c->ring_full_drops == 3);
    REQUIRE(c->sources.size() == 1);
    CHECK(c->sources[0].name == "eth0#0");
    CHECK(c->sources[0].truncated == 4);
    CHECK(c->decoder_packets == 990);
    CHECK(c->decoder_invalid == 6);
    REQUIRE(c->decode_events.size() == 2);
    CHECK(c->decode_events[0] == std::make_pair(std::string("ipv4_truncated"), uint64_t{4}));
    CHECK(c->flows_created == 80);
    CHECK(c->flows_evicted == 9);
    CHECK(c->records_dropped == 1);
    CHECK(c->fragments_unmatched == 2);
    CHECK_THAT(c->origin, Catch::Contains("2024-01-01T00:00:10"));

    CHECK_FALSE(parse_stats_event(kFlowLine));                    // "stats" appears, but it is a flow event
    CHECK_FALSE(parse_stats_event("{\"event_type\":\"stats\""));  // cut short
    CHECK_FALSE(parse_stats_event(""));
}

TEST_CASE("the reader takes the LAST stats event of the file", "[doctor]") {
    FakeTree dir;
    const std::string path = dir.root() + "/eve.json";
    std::ofstream(path) << stats_line(1) << "\n"
                        << kFlowLine << "\n"
                        << stats_line(2, "T2") << "\n"
                        << kFlowLine << "\n"
                        << kFlowLine;  // no final newline
    const auto r = read_last_stats_event(path);
    REQUIRE(r.counters);
    CHECK(r.counters->kernel_drops == 2);
    CHECK_THAT(r.counters->origin, Catch::Contains("T2"));
}

TEST_CASE("the reader finds a stats event across chunk boundaries of a large file", "[doctor]") {
    FakeTree dir;
    const std::string path = dir.root() + "/eve.json";
    {
        std::ofstream out(path);
        out << stats_line(7) << "\n";  // only stats event, at the start of a ~3 MiB file
        for (int i = 0; i < 12000; ++i) out << kFlowLine << "\n";
    }
    const auto r = read_last_stats_event(path);
    REQUIRE(r.counters);
    CHECK(r.counters->kernel_drops == 7);

    // A stats line straddling the 1 MiB chunk edge from the end.
    {
        std::ofstream out(path);
        out << stats_line(1) << "\n" << stats_line(8) << "\n";
        const std::string filler(200, 'x');
        const size_t line = filler.size() + 1;
        for (size_t written = 0; written < (1u << 20) - 150; written += line) out << filler << "\n";
    }
    const auto s = read_last_stats_event(path);
    REQUIRE(s.counters);
    CHECK(s.counters->kernel_drops == 8);
}

TEST_CASE("the reader explains a missing file, an empty file and a file without stats", "[doctor]") {
    FakeTree dir;
    CHECK_THAT(read_last_stats_event(dir.root() + "/none.json").error, Catch::StartsWith("cannot open"));
    std::ofstream(dir.root() + "/empty.json").flush();
    CHECK_THAT(read_last_stats_event(dir.root() + "/empty.json").error, Catch::Contains("is empty"));
    std::ofstream(dir.root() + "/flows.json") << kFlowLine << "\n";
    const auto r = read_last_stats_event(dir.root() + "/flows.json");
    CHECK_FALSE(r.counters);
    CHECK_THAT(r.error, Catch::Contains("no stats event"));
}
