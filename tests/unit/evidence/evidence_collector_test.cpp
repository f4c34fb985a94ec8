#include <catch2/catch.hpp>

#include <cstring>
#include <set>
#include <vector>

#include "evidence/evidence_collector.hpp"
#include "frames.hpp"

using namespace nms;
using namespace nms::evidence;

namespace {

constexpr TimestampNs kSec = kNsPerSec;

void feed(EvidenceCollector& c, const std::vector<uint8_t>& f, TimestampNs ts) {
    c.record(decode::LinkType::kEthernet, f.data(), static_cast<uint32_t>(f.size()), static_cast<uint32_t>(f.size()), ts);
}

// Timestamps of the records in a part, and their source/destination IPs (from the frame).
std::vector<TimestampNs> stamps(const EvidencePart& p) {
    std::vector<TimestampNs> out;
    for (size_t off = 0; off + PacketRing::kHeader <= p.records.size();) {
        TimestampNs ts = 0;
        uint16_t cap = 0;
        std::memcpy(&ts, p.records.data() + off, 8);
        std::memcpy(&cap, p.records.data() + off + 12, 2);
        out.push_back(ts);
        off += PacketRing::kHeader + cap;
    }
    return out;
}

EvidenceRequest request(uint64_t id, const IpAddr& host, TimestampNs since, TimestampNs until) {
    EvidenceRequest r;
    r.alert_id = id;
    r.host = host;
    r.since = since;
    r.until = until;
    r.parts = 1;
    return r;
}

}  // namespace

TEST_CASE("collector copies the host's packets of the window, both directions, v4 and v6", "[evidence]") {
    EvidenceCollector c(1 << 20, 256, 1 << 20);
    const auto a = test::v4_host(1), b = test::v4_host(2), x = test::v4_host(3);
    const auto a6 = test::v6_host(1), b6 = test::v6_host(2);
    // t = 1..20 s: a->b at odd seconds, b->a at even seconds, x->b (never a) every second,
    // and the IPv6 pair every second.
    for (TimestampNs s = 1; s <= 20; ++s) {
        feed(c, s % 2 ? test::frame(a, b) : test::frame(b, a), s * kSec);
        feed(c, test::frame(x, b), s * kSec + 1);
        feed(c, s % 2 ? test::frame(a6, b6) : test::frame(b6, a6), s * kSec + 2);
    }
    // Alert on a at t = 20 s: before = 10 s -> since 10 s; after 5 s -> until 25 s.
    REQUIRE(c.request(request(7, test::ip_of(a), 10 * kSec, 25 * kSec)));
    REQUIRE(c.request(request(8, test::ip_of(b6), 15 * kSec, 22 * kSec)));
    c.poll(20 * kSec);
    CHECK(c.take_part() == nullptr);  // the "after" part is still running
    for (TimestampNs s = 21; s <= 30; ++s) {
        feed(c, test::frame(b, a), s * kSec);
        feed(c, test::frame(x, b), s * kSec + 1);
        feed(c, test::frame(b6, a6), s * kSec + 2);
        c.poll(s * kSec + 3);
    }
    std::vector<std::unique_ptr<EvidencePart>> parts;
    while (auto p = c.take_part()) parts.push_back(std::move(p));
    REQUIRE(parts.size() == 2);
    const EvidencePart& pa = parts[0]->request.alert_id == 7 ? *parts[0] : *parts[1];
    const EvidencePart& p6 = parts[0]->request.alert_id == 7 ? *parts[1] : *parts[0];
    std::vector<TimestampNs> want;
    for (TimestampNs s = 10; s <= 25; ++s) want.push_back(s * kSec);
    CHECK(stamps(pa) == want);  // only a's packets (x->b never), both directions, 10..25 s
    CHECK(pa.packets == want.size());
    CHECK_FALSE(pa.truncated);
    CHECK_FALSE(pa.gap);
    std::vector<TimestampNs> want6;
    for (TimestampNs s = 15; s <= 21; ++s) want6.push_back(s * kSec + 2);  // 22 s + 2 ns is past `until`
    CHECK(stamps(p6) == want6);
}

TEST_CASE("collector answers a request with no match with an empty part", "[evidence]") {
    EvidenceCollector c(1 << 16, 128, 1 << 16);
    const auto a = test::v4_host(1), b = test::v4_host(2);
    feed(c, test::frame(a, b), 5 * kSec);
    REQUIRE(c.request(request(1, test::ip_of(test::v4_host(9)), 0, 6 * kSec)));
    c.poll(7 * kSec);
    auto p = c.take_part();
    REQUIRE(p);
    CHECK(p->packets == 0);
    CHECK(p->records.empty());
}

TEST_CASE("collector caps a part's bytes and refuses captures beyond its limit", "[evidence]") {
    EvidenceCollector c(1 << 20, 256, 2000);  // a part holds at most 2000 bytes
    const auto a = test::v4_host(1), b = test::v4_host(2);
    for (TimestampNs s = 1; s <= 100; ++s) feed(c, test::frame(a, b, 100), s * kSec);
    for (uint64_t id = 1; id <= EvidenceCollector::kMaxActive + 2; ++id)
        REQUIRE(c.request(request(id, test::ip_of(a), 0, 200 * kSec)));
    c.poll(100 * kSec);
    // The two beyond kMaxActive are answered at once, refused.
    std::vector<std::unique_ptr<EvidencePart>> refused;
    while (auto p = c.take_part()) refused.push_back(std::move(p));
    REQUIRE(refused.size() == 2);
    for (const auto& p : refused) CHECK(p->refused);
    c.finish();
    size_t n = 0;
    while (auto p = c.take_part()) {
        ++n;
        CHECK(p->truncated);
        CHECK(p->records.size() <= 2000);
        CHECK(p->packets == 2000 / (16 + 154));
    }
    CHECK(n == EvidenceCollector::kMaxActive);
}

TEST_CASE("collector marks a gap when the ring overwrote packets between two polls", "[evidence]") {
    EvidenceCollector c(8192, 256, 1 << 20);
    const auto a = test::v4_host(1), b = test::v4_host(2);
    feed(c, test::frame(a, b), 1 * kSec);
    REQUIRE(c.request(request(1, test::ip_of(a), 0, 1000 * kSec)));
    c.poll(1 * kSec);
    for (TimestampNs i = 0; i < 1000; ++i) feed(c, test::frame(a, b), 2 * kSec + i);
    c.poll(3 * kSec);
    c.finish();
    auto p = c.take_part();
    REQUIRE(p);
    CHECK(p->gap);
    CHECK(p->packets > 1);
}
