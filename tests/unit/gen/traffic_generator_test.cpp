// The generator on its own: determinism, every protocol's frames decode to the right
// flow, QUIC keys match RFC 9001's test vector, the demo source paces on the wall clock.
#include <catch2/catch.hpp>

#include <cstring>
#include <set>
#include <vector>

#include "capture/capture_source.hpp"
#include "decode/decode.hpp"
#include "gen/generator_source.hpp"
#include "gen/quic_initial.hpp"
#include "gen/traffic_generator.hpp"

using namespace nms;
using namespace nms::gen;

namespace {

std::vector<uint8_t> all_bytes(const GenOptions& o) {
    TrafficGenerator g(o);
    std::vector<uint8_t> out;
    Frame f;
    while (g.next(f)) {
        out.insert(out.end(), reinterpret_cast<const uint8_t*>(&f.ts_ns), reinterpret_cast<const uint8_t*>(&f.ts_ns) + 8);
        out.insert(out.end(), f.data, f.data + f.len);
    }
    return out;
}

GenOptions small(uint64_t seed) {
    GenOptions o;
    o.flows = 50;
    o.packets = 5000;
    o.seed = seed;
    o.v6_share = 0.3;
    o.anomalies = {{AnomalyKind::kPortScan, 50}, {AnomalyKind::kNxdomainStorm, 20}};
    return o;
}

}  // namespace

TEST_CASE("Same seed gives the same bytes, another seed different ones", "[gen]") {
    const auto a = all_bytes(small(7));
    const auto b = all_bytes(small(7));
    const auto c = all_bytes(small(8));
    CHECK(a.size() > 5000 * 60);
    CHECK(a == b);
    CHECK(a != c);
    GenOptions imix = small(7);
    imix.mix = Mix::kImix;
    CHECK(all_bytes(imix) == all_bytes(imix));
}

TEST_CASE("Every session kind decodes to flows on its protocol's ports", "[gen]") {
    struct Expect {
        SessionKind kind;
        uint8_t proto;      // 0 = ARP
        std::set<unsigned> server_ports;
    };
    const Expect cases[] = {
        {SessionKind::kDns, 17, {53}},    {SessionKind::kHttp, 6, {80, 8080}}, {SessionKind::kTls, 6, {443}},
        {SessionKind::kQuic, 17, {443}},  {SessionKind::kSsh, 6, {22}},        {SessionKind::kSmb2, 6, {445}},
        {SessionKind::kDhcp, 17, {67, 68}}, {SessionKind::kMdns, 17, {5353}},  {SessionKind::kArp, 0, {}},
        {SessionKind::kBulkTcp, 6, {5201, 9001}}, {SessionKind::kBulkUdp, 17, {5201, 9001}},
    };
    for (const auto& e : cases) {
        INFO(session_kind_name(e.kind));
        GenOptions o;
        o.flows = 8;
        o.packets = 400;
        o.v6_share = 0.5;
        o.only_kind = static_cast<int>(e.kind);
        TrafficGenerator g(o);
        Frame f;
        size_t frames = 0;
        while (g.next(f)) {
            REQUIRE(f.len <= 1514);  // fits a 1500-byte MTU: live sending works on any Ethernet
            decode::PacketView v;
            const auto st = decode::decode_packet(decode::LinkType::kEthernet, f.data, f.len, f.len, f.ts_ns, v);
            REQUIRE(v.event == decode::DecodeEvent::kNone);
            if (e.proto == 0) {
                REQUIRE(st == decode::DecodeStatus::kNonIp);
                REQUIRE(v.l3 == decode::L3::kArp);
            } else {
                REQUIRE(st == decode::DecodeStatus::kFlow);
                REQUIRE(v.ip_proto == e.proto);
                const bool on_port = e.server_ports.count(v.src_port) || e.server_ports.count(v.dst_port);
                REQUIRE(on_port);
            }
            ++frames;
        }
        CHECK(frames == 400);
        CHECK(g.stats().sessions[static_cast<int>(e.kind)] > 0);
    }
}

TEST_CASE("TCP sessions carry consistent sequence numbers and a full handshake", "[gen]") {
    GenOptions o;
    o.flows = 1;
    o.packets = 40;
    o.only_kind = static_cast<int>(SessionKind::kHttp);
    TrafficGenerator g(o);
    Frame f;
    std::vector<decode::PacketView> pk;
    std::vector<std::vector<uint8_t>> keep;
    while (g.next(f)) {
        keep.emplace_back(f.data, f.data + f.len);
        decode::PacketView v;
        decode::decode_packet(decode::LinkType::kEthernet, keep.back().data(), f.len, f.len, 0, v);
        pk.push_back(v);
    }
    REQUIRE(pk.size() >= 7);
    CHECK(pk[0].tcp_flags == 0x02);
    CHECK(pk[1].tcp_flags == 0x12);
    CHECK(pk[1].tcp_ack == pk[0].tcp_seq + 1);
    CHECK(pk[2].tcp_flags == 0x10);
    CHECK(pk[2].tcp_ack == pk[1].tcp_seq + 1);
    // Every segment's sequence continues where that direction left off.
    uint32_t next_seq[2] = {pk[0].tcp_seq + 1, pk[1].tcp_seq + 1};
    for (size_t i = 2; i < pk.size(); ++i) {
        const int dir = pk[i].src_port == pk[0].src_port ? 0 : 1;
        if (pk[i].tcp_flags & 0x02) break;  // the next session's SYN
        REQUIRE(pk[i].tcp_seq == next_seq[dir]);
        next_seq[dir] += static_cast<uint32_t>(pk[i].payload.size) + ((pk[i].tcp_flags & 0x01) ? 1 : 0);
    }
}

TEST_CASE("QUIC initial keys match RFC 9001 Appendix A", "[gen]") {
    const uint8_t dcid[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};
    QuicInitialKeys c, s;
    REQUIRE(derive_quic_initial_keys(dcid, 8, false, c));
    REQUIRE(derive_quic_initial_keys(dcid, 8, true, s));
    const uint8_t ckey[16] = {0x1f, 0x36, 0x96, 0x13, 0xdd, 0x76, 0xd5, 0x46, 0x77, 0x30, 0xef, 0xcb, 0xe3, 0xb1, 0xa2, 0x2d};
    const uint8_t civ[12] = {0xfa, 0x04, 0x4b, 0x2f, 0x42, 0xa3, 0xfd, 0x3b, 0x46, 0xfb, 0x25, 0x5c};
    const uint8_t chp[16] = {0x9f, 0x50, 0x44, 0x9e, 0x04, 0xa0, 0xe8, 0x10, 0x28, 0x3a, 0x1e, 0x99, 0x33, 0xad, 0xed, 0xd2};
    const uint8_t skey[16] = {0xcf, 0x3a, 0x53, 0x31, 0x65, 0x3c, 0x36, 0x4c, 0x88, 0xf0, 0xf3, 0x79, 0xb6, 0x06, 0x7e, 0x37};
    CHECK(std::memcmp(c.key, ckey, 16) == 0);
    CHECK(std::memcmp(c.iv, civ, 12) == 0);
    CHECK(std::memcmp(c.hp, chp, 16) == 0);
    CHECK(std::memcmp(s.key, skey, 16) == 0);
}

TEST_CASE("Anomaly names parse with and without a size", "[gen]") {
    AnomalySpec a;
    std::string err;
    REQUIRE(parse_anomaly("synflood:500", a, err));
    CHECK(a.kind == AnomalyKind::kSynFlood);
    CHECK(a.param == 500);
    REQUIRE(parse_anomaly("lateral", a, err));
    CHECK(a.kind == AnomalyKind::kLateralMovement);
    CHECK(a.param == 0);
    CHECK_FALSE(parse_anomaly("teleport", a, err));
    CHECK(err.find("unknown anomaly") != std::string::npos);
    CHECK_FALSE(parse_anomaly("portscan:x", a, err));
}

namespace {

struct CountingSink final : capture::FrameSink {
    uint64_t frames = 0;
    uint64_t batches = 0;
    TimestampNs first_ts = 0;
    void on_frame(const capture::RawFrame& f) noexcept override {
        if (!first_ts) first_ts = f.ts_ns;
        ++frames;
    }
    void end_batch() noexcept override { ++batches; }
};

}  // namespace

TEST_CASE("The demo source paces frames on the wall clock", "[gen]") {
    DemoOptions o;
    o.rate = 5000;
    GeneratorSource src(o);
    CHECK(src.name() == "demo");
    CHECK(src.link_type() == decode::LinkType::kEthernet);
    CountingSink sink;
    const uint64_t t0 = monotonic_ns();
    const TimestampNs wall0 = wall_ns();
    while (monotonic_ns() - t0 < 300 * kNsPerMs) src.poll(sink, 50);
    const double secs = static_cast<double>(monotonic_ns() - t0) / 1e9;
    // 5000 pps for ~0.3 s: paced, neither a burst nor a trickle.
    CHECK(static_cast<double>(sink.frames) > 0.6 * 5000 * secs);
    CHECK(static_cast<double>(sink.frames) < 1.2 * 5000 * secs + 256);
    CHECK(src.counters().frames == sink.frames);
    CHECK(sink.first_ts >= wall0);
    CHECK(sink.first_ts < wall0 + kNsPerSec);
}
