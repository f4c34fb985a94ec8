#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "evidence/evidence_writer.hpp"
#include "frames.hpp"

using namespace nms;
using namespace nms::evidence;
namespace fs = std::filesystem;

namespace {

constexpr TimestampNs kSec = kNsPerSec;

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/nms-evidence-test.XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

struct PcapPacket {
    uint64_t ts_us;
    uint32_t caplen;
    uint32_t wirelen;
};

// Reads a classic little-endian microsecond pcap: link type and packet headers.
bool read_pcap(const fs::path& p, uint32_t& link, uint32_t& snaplen, std::vector<PcapPacket>& out) {
    std::ifstream in(p, std::ios::binary);
    uint8_t hdr[24];
    if (!in.read(reinterpret_cast<char*>(hdr), 24)) return false;
    uint32_t magic = 0;
    std::memcpy(&magic, hdr, 4);
    if (magic != 0xa1b2c3d4) return false;
    std::memcpy(&snaplen, hdr + 16, 4);
    std::memcpy(&link, hdr + 20, 4);
    uint32_t rec[4];
    while (in.read(reinterpret_cast<char*>(rec), 16)) {
        out.push_back({uint64_t{rec[0]} * 1000000 + rec[1], rec[2], rec[3]});
        in.seekg(rec[2], std::ios::cur);
    }
    return true;
}

void feed(EvidenceCollector& c, const std::vector<uint8_t>& f, TimestampNs ts) {
    c.record(decode::LinkType::kEthernet, f.data(), static_cast<uint32_t>(f.size()), static_cast<uint32_t>(f.size()), ts);
}

}  // namespace

TEST_CASE("writer merges the workers' parts in time order into one pcap", "[evidence]") {
    TempDir dir;
    EvidenceCollector w0(1 << 20, 100, 1 << 20), w1(1 << 20, 100, 1 << 20);
    const auto a = test::v4_host(1), b = test::v4_host(2);
    // Two workers, interleaved times (each worker's packets are in its own order).
    for (TimestampNs i = 0; i < 20; ++i) feed(i % 2 ? w1 : w0, test::frame(a, b, 200), 10 * kSec + i * 1000);
    std::vector<EvidenceFile> files;
    EvidenceWriterOptions o;
    o.dir = (dir.path / "evidence").string();
    o.snaplen = 100;
    EvidenceWriter writer(o, {&w0, &w1}, [&](const EvidenceFile& f) { files.push_back(f); });
    REQUIRE_FALSE(writer.open());
    EvidenceRequest req;
    req.alert_id = 42;
    req.host = test::ip_of(a);
    req.since = 0;
    req.until = 11 * kSec;
    req.parts = 2;
    REQUIRE(w0.request(req));
    REQUIRE(w1.request(req));
    w0.poll(12 * kSec);
    CHECK(writer.drain_once(false) == 0);  // only one of two parts is in: wait
    w1.poll(12 * kSec);
    CHECK(writer.drain_once(false) == 1);
    REQUIRE(files.size() == 1);
    CHECK(files[0].file_name == "alert-42.pcap");
    CHECK(files[0].packets == 20);
    CHECK(files[0].complete);
    uint32_t link = 0, snaplen = 0;
    std::vector<PcapPacket> pkts;
    REQUIRE(read_pcap(fs::path(o.dir) / "alert-42.pcap", link, snaplen, pkts));
    CHECK(link == 1);
    CHECK(snaplen == 100);
    REQUIRE(pkts.size() == 20);
    for (size_t i = 1; i < pkts.size(); ++i) CHECK(pkts[i].ts_us >= pkts[i - 1].ts_us);
    for (const auto& p : pkts) {
        CHECK(p.caplen == 100);
        CHECK(p.wirelen == 254);
    }
    CHECK_FALSE(fs::exists(fs::path(o.dir) / "alert-42.pcap.tmp"));
}

TEST_CASE("writer deletes the oldest files beyond max_files and max_total_bytes", "[evidence]") {
    TempDir dir;
    EvidenceCollector w(1 << 20, 256, 1 << 20);
    const auto a = test::v4_host(1), b = test::v4_host(2);
    for (TimestampNs i = 0; i < 10; ++i) feed(w, test::frame(a, b, 100), kSec + i);
    EvidenceWriterOptions o;
    o.dir = dir.path.string();
    o.max_files = 3;
    o.max_total_bytes = 1 << 20;
    EvidenceWriter writer(o, {&w}, nullptr);
    REQUIRE_FALSE(writer.open());
    EvidenceRequest req;
    req.host = test::ip_of(a);
    req.until = 2 * kSec;
    req.parts = 1;
    for (uint64_t id = 1; id <= 5; ++id) {
        req.alert_id = id;
        REQUIRE(w.request(req));
        w.poll(3 * kSec);
        REQUIRE(writer.drain_once(false) == 1);
        // Distinct modification times even on coarse file systems.
        fs::last_write_time(dir.path / ("alert-" + std::to_string(id) + ".pcap"),
                            fs::file_time_type::clock::now() - std::chrono::seconds(100 - id));
    }
    CHECK_FALSE(fs::exists(dir.path / "alert-1.pcap"));
    CHECK_FALSE(fs::exists(dir.path / "alert-2.pcap"));
    CHECK(fs::exists(dir.path / "alert-5.pcap"));
    CHECK(writer.counters().files_deleted == 2);
    // Size cap: each file is ~1.9 KiB; a 4 KiB cap keeps the newest two.
    const auto one = fs::file_size(dir.path / "alert-5.pcap");
    EvidenceWriterOptions small = o;
    small.max_files = 100;
    small.max_total_bytes = 2 * one + one / 2;
    EvidenceWriter writer2(small, {&w}, nullptr);
    req.alert_id = 6;
    REQUIRE(w.request(req));
    w.poll(3 * kSec);
    REQUIRE(writer2.drain_once(false) == 1);
    size_t left = 0;
    for (const auto& e : fs::directory_iterator(dir.path)) left += e.path().extension() == ".pcap";
    CHECK(left == 2);
    CHECK(fs::exists(dir.path / "alert-6.pcap"));
}

TEST_CASE("writer at shutdown writes a request whose parts did not all arrive", "[evidence]") {
    TempDir dir;
    EvidenceCollector w(1 << 20, 256, 1 << 20);
    const auto a = test::v4_host(1), b = test::v4_host(2);
    feed(w, test::frame(a, b), kSec);
    EvidenceRequest req;
    req.alert_id = 9;
    req.host = test::ip_of(b);
    req.until = 100 * kSec;
    req.parts = 3;  // two other workers never answered
    REQUIRE(w.request(req));
    w.finish();
    std::vector<EvidenceFile> files;
    EvidenceWriterOptions o;
    o.dir = dir.path.string();
    EvidenceWriter writer(o, {&w}, [&](const EvidenceFile& f) { files.push_back(f); });
    CHECK(writer.drain_once(false) == 0);
    CHECK(writer.drain_once(true) == 1);
    REQUIRE(files.size() == 1);
    CHECK_FALSE(files[0].complete);
    CHECK(files[0].packets == 1);
}
