#include <catch2/catch.hpp>

#include <cstring>
#include <random>
#include <thread>

#include "pipeline/packet_channel.hpp"

using nms::pipeline::PacketChannel;
using nms::pipeline::PacketRef;

namespace {

// Writes one frame of `len` bytes whose content encodes `seq`, reserving in batch position n.
bool put(PacketChannel& ch, uint64_t seq, uint32_t len, uint32_t n, PacketRef& ref) {
    const int64_t off = ch.reserve(len, n);
    if (off < 0) return false;
    uint8_t* p = ch.bytes(static_cast<uint32_t>(off));
    for (uint32_t i = 0; i < len; ++i) p[i] = static_cast<uint8_t>(seq * 31 + i);
    ref = PacketRef{seq, len, len, static_cast<uint32_t>(off), 0};
    return true;
}

bool intact(const PacketChannel& ch, const PacketRef& r) {
    const uint8_t* p = ch.bytes(r.offset);
    for (uint32_t i = 0; i < r.caplen; ++i)
        if (p[i] != static_cast<uint8_t>(r.ts_ns * 31 + i)) return false;
    return true;
}

}  // namespace

TEST_CASE("PacketChannel stores frames back to back and refuses when refs or bytes run out", "[pipeline]") {
    PacketChannel ch(8, 1 << 20, nms::decode::LinkType::kEthernet);
    PacketRef refs[9];
    for (uint32_t i = 0; i < 8; ++i) REQUIRE(put(ch, i, 60, i, refs[i]));
    CHECK(refs[1].offset == 64);  // 64-byte aligned, no slot padding to snaplen
    CHECK_FALSE(put(ch, 8, 60, 8, refs[8]));  // out of refs
    ch.publish(refs, 8);

    PacketRef got[8];
    REQUIRE(ch.pop(got, 8) == 8);
    for (const auto& r : got) CHECK(intact(ch, r));
    ch.release(got[7]);

    PacketChannel small(1024, 1 << 20, nms::decode::LinkType::kEthernet);
    uint32_t n = 0;
    PacketRef r;
    while (put(small, n, 1500, n, r)) ++n;
    CHECK(n == (1u << 20) / 1536);  // out of bytes, not refs
}

TEST_CASE("PacketChannel never hands out bytes the consumer still reads, across wraps", "[pipeline]") {
    // A producer with random frame sizes hammers a small arena while the consumer checks
    // every frame's content: any reuse before release() would corrupt one.
    constexpr uint64_t kTotal = 300'000;
    PacketChannel ch(256, 1 << 20, nms::decode::LinkType::kEthernet);
    std::thread producer([&] {
        std::mt19937 rng(7);
        uint64_t seq = 0;
        PacketRef batch[64];
        while (seq < kTotal) {
            uint32_t n = 0;
            while (n < 64 && seq < kTotal && put(ch, seq, static_cast<uint32_t>(40 + rng() % 9000), n, batch[n])) {
                ++n;
                ++seq;
            }
            if (n) ch.publish(batch, n);
            else std::this_thread::yield();
        }
    });
    uint64_t expected = 0, bad = 0;
    PacketRef got[32];
    while (expected < kTotal) {
        const size_t n = ch.pop(got, 32);
        for (size_t i = 0; i < n; ++i) {
            bad += !intact(ch, got[i]) || got[i].ts_ns != expected;
            ++expected;
        }
        if (n) ch.release(got[n - 1]);
    }
    producer.join();
    CHECK(bad == 0);
    CHECK(expected == kTotal);
}
