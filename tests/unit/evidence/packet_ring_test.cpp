#include <catch2/catch.hpp>

#include <vector>

#include "evidence/packet_ring.hpp"
#include "frames.hpp"

using namespace nms;
using namespace nms::evidence;

namespace {

struct Seen {
    TimestampNs ts;
    uint32_t wirelen;
    uint32_t caplen;
    uint8_t first_payload_byte;
};

std::vector<Seen> all(const PacketRing& ring) {
    std::vector<Seen> out;
    ring.for_each_from(0, [&](const PacketRecord& r) {
        out.push_back({r.ts, r.wirelen, r.caplen, r.caplen > 60 ? r.data[60] : uint8_t{0}});
    });
    return out;
}

}  // namespace

TEST_CASE("packet ring keeps every packet while it fits, in order, cut to snaplen", "[evidence]") {
    PacketRing ring(64 * 1024, 128);
    const auto a = test::v4_host(1), b = test::v4_host(2);
    for (uint32_t i = 0; i < 50; ++i) {
        const auto f = test::frame(a, b, i * 10, static_cast<uint8_t>(i));
        ring.append(decode::LinkType::kEthernet, f.data(), static_cast<uint32_t>(f.size()),
                    static_cast<uint32_t>(f.size()), 1000 + i);
    }
    const auto seen = all(ring);
    REQUIRE(seen.size() == 50);
    for (uint32_t i = 0; i < 50; ++i) {
        CHECK(seen[i].ts == 1000 + i);
        CHECK(seen[i].caplen <= 128);
        CHECK(seen[i].wirelen >= seen[i].caplen);
    }
    CHECK(seen[49].caplen == 128);          // 54 + 490 bytes of frame, cut to snaplen
    CHECK(seen[49].wirelen == 54 + 490);    // the original length is kept
    CHECK(seen[0].caplen == 60);            // minimum Ethernet frame, not padded further
}

TEST_CASE("packet ring overwrites the oldest records and stays within its buffer", "[evidence]") {
    constexpr size_t kBytes = 8192;
    PacketRing ring(kBytes, 256);
    const auto a = test::v4_host(1), b = test::v4_host(2);
    uint64_t n = 0;
    // Mixed sizes so the wrap point falls at many different offsets.
    for (uint32_t round = 0; round < 2000; ++round) {
        const auto f = test::frame(a, b, (round * 37) % 400, static_cast<uint8_t>(round));
        ring.append(decode::LinkType::kEthernet, f.data(), static_cast<uint32_t>(f.size()),
                    static_cast<uint32_t>(f.size()), 10 + round);
        ++n;
        REQUIRE(ring.head() - ring.tail() <= kBytes);
        if (round % 97 == 0) {
            const auto seen = all(ring);
            REQUIRE(!seen.empty());
            // Contiguous run of the newest packets, oldest first, ending with the last one.
            CHECK(seen.back().ts == 10 + round);
            for (size_t i = 1; i < seen.size(); ++i) REQUIRE(seen[i].ts == seen[i - 1].ts + 1);
            for (const auto& s : seen)
                if (s.caplen > 60) REQUIRE(s.first_payload_byte == static_cast<uint8_t>(s.ts - 10));
        }
    }
    CHECK(ring.appended() == n);
    const auto seen = all(ring);
    // Holds more small records than fixed 256-byte slots would (8192 / 272 = 30).
    CHECK(seen.size() > 8192 / (256 + 16));
    CHECK(seen.size() < n);
}

TEST_CASE("packet ring reading from an overwritten position starts at the oldest record", "[evidence]") {
    PacketRing ring(4096, 64);
    const auto a = test::v4_host(1), b = test::v4_host(2);
    const auto f = test::frame(a, b, 0);
    for (uint32_t i = 0; i < 500; ++i)
        ring.append(decode::LinkType::kEthernet, f.data(), static_cast<uint32_t>(f.size()),
                    static_cast<uint32_t>(f.size()), i);
    uint64_t first = 0;
    size_t count = 0;
    const uint64_t end = ring.for_each_from(0, [&](const PacketRecord& r) {
        if (count++ == 0) first = r.ts;
    });
    CHECK(end == ring.head());
    CHECK(first == 500 - count);
    size_t none = 0;
    ring.for_each_from(ring.head(), [&](const PacketRecord&) { ++none; });
    CHECK(none == 0);
}

TEST_CASE("packet ring rejects a buffer that cannot hold two packets", "[evidence]") {
    CHECK_THROWS_AS(PacketRing(100, 256), std::invalid_argument);
}
