// Informal cost of decode_packet per fixture (hidden: run with `nms_decode_tests "[.bench]"`).
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>

#include "decode_test_util.hpp"

using namespace nms;
using namespace nms::decode;

TEST_CASE("decode_packet ns per packet", "[.bench][decode]") {
    const auto fixtures = test::load_all_hex_fixtures();
    constexpr int kRounds = 200000;
    PacketView pv;
    double total_ns = 0;
    uint64_t sink = 0;
    for (const auto& fx : fixtures) {
        const auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < kRounds; ++i) {
            decode_packet(fx.link(), fx.bytes.data(), fx.size(), fx.size(), static_cast<TimestampNs>(i), pv);
            sink += pv.key.port_lo;
        }
        const auto t1 = std::chrono::steady_clock::now();
        const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count() / kRounds;
        total_ns += ns;
        std::printf("%-28s %4u bytes  %6.1f ns/packet\n", fx.name.c_str(), fx.size(), ns);
    }
    std::printf("mean over %zu fixtures: %.1f ns/packet (sink %llu)\n", fixtures.size(),
                total_ns / static_cast<double>(fixtures.size()), static_cast<unsigned long long>(sink));
    CHECK(sink > 0);
}
