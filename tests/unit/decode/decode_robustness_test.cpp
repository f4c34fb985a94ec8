// Hostile input: every truncation of every fixture, seeded random frames and bit flips. Each
// decode runs over a heap buffer of exactly caplen bytes, so ASan/UBSan (asan preset) report
// any read past the capture; the invariants below must hold for every frame.
#include <catch2/catch.hpp>
#include <random>

#include "decode_test_util.hpp"

using namespace nms;
using namespace nms::decode;
using nms::test::decode_bytes;
using nms::test::decode_fixture;

namespace {

constexpr LinkType kLinks[] = {LinkType::kEthernet, LinkType::kLinuxSll,       LinkType::kLinuxSll2,
                               LinkType::kRaw,      LinkType::kIpv4,           LinkType::kIpv6,
                               LinkType::kNull,     LinkType::kLoop,           LinkType::kPpp,
                               LinkType::kPppHdlc,  static_cast<LinkType>(147)};

bool within(const uint8_t* base, uint32_t caplen, const uint8_t* p, size_t n) {
    return p >= base && p <= base + caplen && n <= static_cast<size_t>(base + caplen - p);
}

// Invariants every decode result keeps, whatever the input.
void check_invariants(const test::Decoded& d) {
    const PacketView& pv = d.pv;
    const uint8_t* base = d.buf.get();
    if (pv.status == DecodeStatus::kInvalid) REQUIRE(pv.event != DecodeEvent::kNone);
    REQUIRE(static_cast<size_t>(pv.event) < kDecodeEventCount);
    REQUIRE(pv.vlan_count <= 3);
    if (pv.payload.data != nullptr) REQUIRE(within(base, pv.caplen, pv.payload.data, pv.payload.size));
    if (pv.status == DecodeStatus::kFlow) {
        REQUIRE((pv.l3 == L3::kIpv4 || pv.l3 == L3::kIpv6));
        REQUIRE(pv.l3_off < pv.caplen);
        REQUIRE(pv.l4_off <= pv.caplen);
        REQUIRE(std::memcmp(pv.key.addr_lo.bytes.data(), pv.key.addr_hi.bytes.data(), 16) <= 0);
        REQUIRE(pv.key.proto == pv.ip_proto);
        if (pv.tcp_opts.options_len != 0) {
            REQUIRE(within(base, pv.caplen, base + pv.tcp_opts.options_off, pv.tcp_opts.options_len));
        }
    } else {
        REQUIRE(pv.key == FlowKey{});
    }
}

// Where the meaningful bytes of a fully decoded fixture end: cutting before it must leave an
// event; cutting after it (Ethernet padding, trailers) need not.
uint32_t meaningful_end(const test::Decoded& full) {
    const PacketView& pv = full.pv;
    if (pv.status == DecodeStatus::kFlow)
        return full.off(pv.payload.data) + static_cast<uint32_t>(pv.payload.size);
    if (pv.l3 == L3::kArp) return pv.l3_off + 28u;
    return 14;  // other non-IP frames: only the Ethernet header is interpreted
}

}  // namespace

TEST_CASE("Every truncation of every fixture decodes within caplen and sets an event", "[decode]") {
    const auto fixtures = test::load_all_hex_fixtures();
    REQUIRE(fixtures.size() >= 30);
    size_t decodes = 0;
    for (const auto& fx : fixtures) {
        INFO(fx.name);
        auto full = decode_fixture(fx);
        const uint32_t end = meaningful_end(full);
        REQUIRE(end <= fx.size());
        for (uint32_t caplen = 0; caplen < fx.size(); ++caplen) {
            INFO("caplen " << caplen);
            // The frame really was this short, and the frame was cut by a snaplen.
            for (uint32_t wirelen : {caplen, fx.size()}) {
                auto d = decode_bytes(fx.link(), fx.bytes.data(), caplen, wirelen);
                ++decodes;
                check_invariants(d);
                if (caplen < end) REQUIRE(d.pv.event != DecodeEvent::kNone);
                if (caplen == 0) REQUIRE(d.pv.event == DecodeEvent::kZeroLength);
            }
        }
    }
    CHECK(decodes > 10000);
}

TEST_CASE("Seeded random frames of random link types never break the invariants", "[decode]") {
    std::mt19937_64 rng(0x6e6d73u);
    const auto fixtures = test::load_all_hex_fixtures();
    std::vector<uint8_t> frame;
    size_t flows = 0;
    for (int i = 0; i < 200000; ++i) {
        LinkType link = kLinks[rng() % std::size(kLinks)];
        if (i % 2 == 0) {
            // Pure noise, short frames favoured.
            const uint64_t cap = rng() % 4 == 0 ? 1600 : 96;  // sequenced: same stream in every build
            frame.resize(rng() % cap);
            for (auto& b : frame) b = static_cast<uint8_t>(rng());
        } else {
            // A real frame with random bytes overwritten and a random cut: reaches deep layers.
            const auto& fx = fixtures[rng() % fixtures.size()];
            frame = fx.bytes;
            const int edits = 1 + static_cast<int>(rng() % 6);
            for (int e = 0; e < edits; ++e) frame[rng() % frame.size()] = static_cast<uint8_t>(rng());
            if (rng() % 3 == 0) frame.resize(rng() % (frame.size() + 1));
            if (rng() % 8 != 0) link = fx.link();
        }
        const auto n = static_cast<uint32_t>(frame.size());
        auto d = decode_bytes(link, frame.data(), n, n);
        check_invariants(d);
        if (d.pv.status == DecodeStatus::kFlow) ++flows;
    }
    CHECK(flows > 10000);  // the mutated half still reaches the flow path
}

TEST_CASE("Every single-bit flip of every fixture keeps the invariants", "[decode]") {
    size_t decodes = 0;
    for (const auto& fx : test::load_all_hex_fixtures()) {
        INFO(fx.name);
        // Headers are where flips matter; past 160 bytes only payload changes.
        const size_t limit = std::min<size_t>(fx.bytes.size(), 160);
        auto frame = fx.bytes;
        for (size_t byte = 0; byte < limit; ++byte) {
            for (int bit = 0; bit < 8; ++bit) {
                frame[byte] = static_cast<uint8_t>(frame[byte] ^ (1u << bit));
                auto d = decode_bytes(fx.link(), frame);
                check_invariants(d);
                frame[byte] = fx.bytes[byte];
                ++decodes;
            }
        }
    }
    CHECK(decodes > 20000);
}
