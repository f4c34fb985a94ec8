// Daily logs: one ndjson/csv pair per UTC day, closed days gzipped in-process (the .gz holds
// exactly the original bytes), and the oldest days deleted first over the size cap.
#include <zlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "store/daily_logs.hpp"
#include "store_test_util.hpp"

using namespace nms;
using namespace nms::store;
namespace fs = std::filesystem;

namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string gunzip(const std::string& path) {
    gzFile f = gzopen(path.c_str(), "rb");
    REQUIRE(f != nullptr);
    std::string out;
    char buf[4096];
    int n;
    while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    gzclose(f);
    return out;
}

constexpr int64_t kDay1 = 1'700'000'000;  // 2023-11-14 UTC
constexpr int64_t kDay2 = kDay1 + 86400;

}  // namespace

TEST_CASE("utc_day names the UTC calendar day", "[store]") {
    CHECK(utc_day(0) == "19700101");
    CHECK(utc_day(kDay1) == "20231114");
    CHECK(utc_day(kDay2) == "20231115");
}

TEST_CASE("flows go to the day's ndjson and csv; a closed day is gzipped", "[store]") {
    test::TempDir dir;
    StoreCounters c;
    DailyLogsOptions o;
    o.dir = dir.path();
    o.gzip_slice_bytes = 1024;  // several ticks per file
    {
        DailyLogs logs(o, nullptr, c);
        std::vector<pipeline::FlowRecord> day1;
        for (uint64_t i = 0; i < 200; ++i) day1.push_back(test::make_flow(i + 1, 1, 2, 1000, 80, kDay1 * kNsPerSec));
        logs.write(day1, kDay1);
        const std::string nd = read_file(dir.file("flows_20231114.ndjson"));
        const std::string csv = read_file(dir.file("flows_20231114.csv"));
        CHECK(std::count(nd.begin(), nd.end(), '\n') == 200);
        CHECK(nd.rfind("{\"timestamp\":", 0) == 0);
        CHECK(csv.rfind(kFlowCsvHeader, 0) == 0);
        CHECK(csv.find("\n2023-11-14T22:13:19.000000+0000,2023-11-14T22:13:20.000000+0000,1,10.0.0.1,1000,192.0.2.2,80,"
                       "TCP,0,,3,2,300,1200,closed,timeout\n") != std::string::npos);
        // The next day: new files; the closed day is compressed a slice per tick.
        logs.write(std::vector<pipeline::FlowRecord>{test::make_flow(999, 1, 2, 1000, 80, kDay2 * kNsPerSec)}, kDay2);
        for (int i = 0; i < 1000 && fs::exists(dir.file("flows_20231114.ndjson")); ++i) logs.tick(kDay2 + i);
        CHECK_FALSE(fs::exists(dir.file("flows_20231114.ndjson")));
        CHECK(gunzip(dir.file("flows_20231114.ndjson.gz")) == nd);
        logs.finish_gzip(kDay2);
        CHECK(gunzip(dir.file("flows_20231114.csv.gz")) == csv);
        CHECK(fs::exists(dir.file("flows_20231115.ndjson")));  // today stays open, uncompressed
        CHECK(c.logs_gzipped.get() == 2);
        CHECK(c.log_lines.get() == 201);
    }
}

TEST_CASE("over the total cap the oldest days are deleted first, today never", "[store]") {
    test::TempDir dir;
    for (const char* d : {"20230101", "20230102", "20230103"})
        std::ofstream(dir.file(std::string("flows_") + d + ".ndjson.gz")) << std::string(400'000, 'x');
    std::ofstream(dir.file("unrelated.txt")) << std::string(900'000, 'y');
    StoreCounters c;
    DailyLogsOptions o;
    o.dir = dir.path();
    o.max_total_bytes = 1'000'000;
    DailyLogs logs(o, nullptr, c);
    logs.write(std::vector<pipeline::FlowRecord>{test::make_flow(1, 1, 2, 1000, 80, kDay1 * kNsPerSec)}, kDay1);
    logs.tick(kDay1);
    CHECK_FALSE(fs::exists(dir.file("flows_20230101.ndjson.gz")));
    CHECK(fs::exists(dir.file("flows_20230102.ndjson.gz")));
    CHECK(fs::exists(dir.file("flows_20230103.ndjson.gz")));
    CHECK(fs::exists(dir.file("flows_20231114.ndjson")));
    CHECK(fs::exists(dir.file("unrelated.txt")));  // not ours
    CHECK(c.logs_deleted.get() == 1);
}

TEST_CASE("a leftover .gz.tmp from a crash is removed and the day compressed again", "[store]") {
    test::TempDir dir;
    std::ofstream(dir.file("flows_20230101.ndjson")) << "{\"a\":1}\n";
    std::ofstream(dir.file("flows_20230101.ndjson.gz.tmp")) << "partial";
    StoreCounters c;
    DailyLogsOptions o;
    o.dir = dir.path();
    DailyLogs logs(o, nullptr, c);
    CHECK_FALSE(fs::exists(dir.file("flows_20230101.ndjson.gz.tmp")));
    logs.finish_gzip(kDay1);
    CHECK(gunzip(dir.file("flows_20230101.ndjson.gz")) == "{\"a\":1}\n");
}
