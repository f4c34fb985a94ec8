#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>

#include "dpi_test_util.hpp"

using namespace nms;
using namespace nms::dpi;
using namespace nms::dpi::test;

namespace {

// A TCP segment with real IPv4 + TCP headers in front of the payload (nDPI reads from L3).
struct RawSegment {
    std::vector<uint8_t> bytes;
    decode::PacketView view;
};

RawSegment raw_segment(const std::string& payload, bool to_server, uint32_t seq, TimestampNs ts, uint16_t port,
                       uint32_t client_ip = 0x0a000001u) {
    RawSegment r;
    r.view = tcp_segment(payload, to_server, seq, ts, port);
    r.view.key.addr_lo = IpAddr::from_v4(client_ip);
    r.bytes.resize(40 + payload.size());
    uint8_t* ip = r.bytes.data();
    const uint32_t src = to_server ? client_ip : 0x0a000002u, dst = to_server ? 0x0a000002u : client_ip;
    const uint16_t sport = to_server ? 40000 : port, dport = to_server ? port : 40000;
    const auto total = static_cast<uint16_t>(r.bytes.size());
    const uint8_t hdr[20] = {0x45, 0, static_cast<uint8_t>(total >> 8), static_cast<uint8_t>(total), 0, 1, 0x40, 0,
                             64, 6, 0, 0,
                             static_cast<uint8_t>(src >> 24), static_cast<uint8_t>(src >> 16),
                             static_cast<uint8_t>(src >> 8), static_cast<uint8_t>(src),
                             static_cast<uint8_t>(dst >> 24), static_cast<uint8_t>(dst >> 16),
                             static_cast<uint8_t>(dst >> 8), static_cast<uint8_t>(dst)};
    std::memcpy(ip, hdr, 20);
    uint8_t* tcp = ip + 20;
    tcp[0] = static_cast<uint8_t>(sport >> 8), tcp[1] = static_cast<uint8_t>(sport);
    tcp[2] = static_cast<uint8_t>(dport >> 8), tcp[3] = static_cast<uint8_t>(dport);
    tcp[4] = static_cast<uint8_t>(seq >> 24), tcp[5] = static_cast<uint8_t>(seq >> 16);
    tcp[6] = static_cast<uint8_t>(seq >> 8), tcp[7] = static_cast<uint8_t>(seq);
    tcp[12] = 0x50;
    tcp[13] = decode::kTcpAck | decode::kTcpPsh;
    tcp[14] = 0xff;
    std::memcpy(ip + 40, payload.data(), payload.size());
    r.view.data = r.bytes.data();
    r.view.caplen = total;
    r.view.wirelen = total;
    r.view.l3 = decode::L3::kIpv4;
    r.view.l3_off = 0;
    r.view.payload = ByteView(r.bytes.data() + 40, payload.size());
    return r;
}

std::string bittorrent_handshake() {
    std::string h = "\x13" "BitTorrent protocol";
    h += std::string(8, '\0');
    h += std::string(20, 'h');
    h += "-qB4250-abcdefghijkl";
    return h;
}

}  // namespace

TEST_CASE("nDPI fallback names a flow none of ours recognise", "[dpi][ndpi]") {
    const Registry& reg = builtin_registry();
    REQUIRE(reg.extra_id_of("bittorrent") != kAppUnknown);
    CHECK(reg.name_of(reg.extra_id_of("bittorrent")) == "bittorrent");
    CHECK(reg.extra_id_of("ssh") == kAppUnknown);  // nDPI's SSH is our "ssh" dissector's id

    AppEventRing ring(16);
    DpiEngine engine(reg, 8, {}, &ring, false);
    auto f = tcp_flow(1, 51413);
    const auto hs = bittorrent_handshake();
    auto seg = raw_segment(hs, true, 1, 1'000'000, 51413);
    engine.on_packet(seg.view, f, 0);
    auto back = raw_segment(hs, false, 1, 2'000'000, 51413);
    if (f.dpi_state != kDpiDone) engine.on_packet(back.view, f, 0);
    engine.on_flow_end(f, 0);
    CHECK(reg.name_of(f.app_proto) == "bittorrent");
    CHECK(f.app_confidence == static_cast<uint8_t>(Confidence::kNdpi));
    CHECK(engine.counters().fallback_detected == 1);
}

TEST_CASE("nDPI fallback stays out of flows ours claim, and frees its state", "[dpi][ndpi]") {
    AppEventRing ring(16);
    DpiLimits limits;
    limits.fallback_flows = 1;  // one nDPI flow state: reused only if freed
    DpiEngine engine(builtin_registry(), 8, limits, &ring, false);
    for (uint64_t i = 0; i < 4; ++i) {
        auto f = tcp_flow(10 + i, 7777);
        auto seg = raw_segment("\x01\x02 random bytes nothing knows", true, 1, 1'000'000, 7777,
                               0x0a000010u + static_cast<uint32_t>(i));
        engine.on_packet(seg.view, f, static_cast<uint32_t>(i));
        engine.on_flow_end(f, static_cast<uint32_t>(i));  // gives up: nDPI state returned to the pool
        CHECK(f.app_proto == kAppUnknown);
    }
    auto g = tcp_flow(20, 22);
    auto ssh = raw_segment("SSH-2.0-x\r\n", true, 1, 1, 22);
    engine.on_packet(ssh.view, g, 5);
    CHECK(builtin_registry().name_of(g.app_proto) == "ssh");
    CHECK(g.app_confidence == static_cast<uint8_t>(Confidence::kDpi));
}

// Cost of the fallback per classified flow: `nms_dpi_tests "[.bench]"`.
TEST_CASE("nDPI fallback cost per flow", "[.bench]") {
    const auto hs = bittorrent_handshake();
    std::vector<RawSegment> bt, junk;
    for (uint32_t i = 0; i < 32; ++i) junk.push_back(raw_segment(std::string(200, static_cast<char>('a' + i % 7)) + "\x01\x02",
                                                                 i % 2 == 0, 1 + 202 * (i / 2), i, 7777));
    bt.push_back(raw_segment(hs, true, 1, 1, 51413));
    for (bool fallback : {false, true}) {
        DpiLimits limits;
        limits.fallback = fallback;
        limits.max_contexts = 64;
        DpiEngine engine(builtin_registry(), 64, limits, nullptr, false);
        constexpr int kFlows = 20000;
        for (const auto* set : {&bt, &junk}) {
            const auto t0 = std::chrono::steady_clock::now();
            for (int n = 0; n < kFlows; ++n) {
                auto f = tcp_flow(static_cast<uint64_t>(n + 1), (*set)[0].view.key.port_hi);
                const auto slot = static_cast<uint32_t>(n % 64);
                for (const auto& s : *set) {
                    if (f.dpi_state == kDpiDone) break;
                    engine.on_packet(s.view, f, slot);
                }
                engine.on_flow_end(f, slot);
            }
            const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
            std::printf("fallback=%d %-12s %8.0f ns/flow (%zu payload packets/flow)\n", fallback,
                        set == &bt ? "bittorrent" : "unknown", ns / kFlows, set->size());
        }
    }
}
