#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <set>

#include "flow/flow_table.hpp"
#include "flow_test_util.hpp"

using namespace nms;
using namespace nms::flow;
using namespace nms::flow::test;
using decode::kTcpAck;
using decode::kTcpSyn;

TEST_CASE("flow: both directions of a conversation land in one flow", "[flow]") {
    FlowTable table(16, FlowTimeouts{}, 1, 1);
    RecordingSink sink;
    const auto a = ep("10.0.0.2", 40000);
    const auto b = ep("10.0.0.1", 53);  // lower address: the key stores b first

    Flow* f1 = table.process(udp(a, b, kT0, 30), sink);
    REQUIRE(f1 != nullptr);
    CHECK(table.last_dir() == kToServer);
    Flow* f2 = table.process(udp(b, a, kT0 + kNsPerMs, 100), sink);
    CHECK(table.last_dir() == kToClient);
    Flow* f3 = table.process(udp(a, b, kT0 + 2 * kNsPerMs, 30), sink);
    REQUIRE(f1 == f2);
    REQUIRE(f2 == f3);
    CHECK(table.size() == 1);
    CHECK(f1->pkts[kToServer] == 2);
    CHECK(f1->pkts[kToClient] == 1);
    CHECK(f1->bytes[kToServer] == 2 * (14 + 20 + 8 + 30));  // wire length, L2 included
    CHECK(f1->bytes[kToClient] == 14 + 20 + 8 + 100);
    CHECK(f1->payload_bytes[kToServer] == 60);
    CHECK(f1->payload_bytes[kToClient] == 100);
    CHECK(f1->first_ns == kT0);
    CHECK(f1->last_ns == kT0 + 2 * kNsPerMs);
    CHECK(f1->client_ip() == a.addr);
    CHECK(f1->client_port() == 40000);
    CHECK(f1->server_port() == 53);
    CHECK_FALSE(f1->client_is_lo);
    CHECK(std::strcmp(eve_flow_state(*f1), "established") == 0);
    CHECK(sink.ended.empty());
    CHECK(table.find(f1->key) == f1);
}

TEST_CASE("flow: non-flow packets are ignored", "[flow]") {
    FlowTable table(4, FlowTimeouts{}, 1, 1);
    RecordingSink sink;
    auto p = udp(ep("10.0.0.1", 1), ep("10.0.0.2", 2), kT0);
    p.status = decode::DecodeStatus::kNonIp;
    CHECK(table.process(p, sink) == nullptr);
    CHECK(table.size() == 0);
}

TEST_CASE("flow: orientation of the first packet", "[flow]") {
    FlowTable table(64, FlowTimeouts{}, 1, 1);
    RecordingSink sink;
    const auto cli = ep("192.168.1.10", 51000);
    const auto srv = ep("192.168.1.1", 8080);

    SECTION("TCP SYN: sender is the client") {
        Flow* f = table.process(tcp(cli, srv, kTcpSyn, kT0), sink);
        CHECK(f->client_ip() == cli.addr);
        CHECK(table.last_dir() == kToServer);
    }
    SECTION("TCP SYN+ACK first: sender is the server") {
        Flow* f = table.process(tcp(srv, cli, kTcpSyn | kTcpAck, kT0), sink);
        CHECK(f->client_ip() == cli.addr);
        CHECK(f->server_port() == 8080);
        CHECK(table.last_dir() == kToClient);
    }
    SECTION("mid-stream TCP between high ports: first sender is the client") {
        Flow* f = table.process(tcp(srv, cli, kTcpAck, kT0, 1, 1, 10), sink);
        CHECK(f->client_ip() == srv.addr);
    }
    SECTION("UDP from a well-known port to an ephemeral one: sender is the server") {
        Flow* f = table.process(udp(ep("8.8.8.8", 53), ep("10.1.1.1", 33333), kT0), sink);
        CHECK(f->client_ip() == ip("10.1.1.1"));
        CHECK(f->server_port() == 53);
    }
    SECTION("UDP from an ephemeral port to a well-known one: sender is the client") {
        Flow* f = table.process(udp(ep("10.1.1.1", 33333), ep("8.8.8.8", 53), kT0), sink);
        CHECK(f->client_ip() == ip("10.1.1.1"));
    }
    SECTION("UDP between two low ports: first sender is the client") {
        Flow* f = table.process(udp(ep("10.1.1.9", 123), ep("10.1.1.1", 123), kT0), sink);
        CHECK(f->client_ip() == ip("10.1.1.9"));
    }
    SECTION("ICMP echo reply first: sender is the server") {
        Flow* f = table.process(icmp(ip("1.1.1.1"), ip("10.0.0.5"), 0, 77, kT0), sink);
        CHECK(f->client_ip() == ip("10.0.0.5"));
        Flow* g = table.process(icmp(ip("10.0.0.5"), ip("1.1.1.1"), 8, 77, kT0 + 1), sink);
        CHECK(f == g);
        CHECK(table.last_dir() == kToServer);
    }
    SECTION("IPv6 works the same") {
        Flow* f = table.process(tcp(ep("2001:db8::2", 443), ep("2001:db8::1", 50000), kTcpSyn | kTcpAck, kT0), sink);
        CHECK(f->client_ip() == ip("2001:db8::1"));
        CHECK(f->client_is_lo);
    }
}

TEST_CASE("flow: eviction ends the least recently active flow when full", "[flow]") {
    FlowTable table(4, FlowTimeouts{}, 1, 1);
    RecordingSink sink;
    const auto srv = ep("10.9.9.9", 53);
    for (uint16_t i = 0; i < 4; ++i) table.process(udp(ep("10.0.0.1", uint16_t(1000 + i)), srv, kT0 + i * kNsPerMs), sink);
    REQUIRE(table.size() == 4);
    // Touch the oldest (port 1000): it must survive; port 1001 becomes the LRU one.
    table.process(udp(srv, ep("10.0.0.1", 1000), kT0 + 10 * kNsPerMs), sink);
    // A TCP flow lives in another class list: eviction still picks the global oldest.
    table.process(tcp(ep("10.0.0.1", 5000), ep("10.0.0.2", 80), kTcpSyn, kT0 + 11 * kNsPerMs), sink);
    REQUIRE(sink.ended.size() == 1);
    CHECK(sink.ended[0].second == EndReason::kEvicted);
    CHECK(sink.ended[0].first.client_port() == 1001);
    CHECK(table.size() == 4);
    CHECK(table.counters().evicted == 1);
    CHECK(table.find(sink.ended[0].first.key) == nullptr);

    table.process(udp(ep("10.0.0.1", 2000), srv, kT0 + 12 * kNsPerMs), sink);
    REQUIRE(sink.ended.size() == 2);
    CHECK(sink.ended[1].first.client_port() == 1002);
    CHECK(std::strcmp(eve_end_reason(sink.ended[1].second), "forced") == 0);
}

TEST_CASE("flow: when full, a flow already past its timeout is ended as a timeout first", "[flow]") {
    FlowTimeouts t;
    t.udp_s = 1000;
    t.icmp_s = 5;
    FlowTable table(2, t, 1, 1);
    RecordingSink sink;
    table.process(udp(ep("10.0.0.1", 1000), ep("10.0.0.2", 53), kT0), sink);
    table.process(icmp(ip("10.0.0.1"), ip("10.0.0.2"), 8, 1, kT0 + kNsPerSec), sink);
    table.process(udp(ep("10.0.0.1", 1001), ep("10.0.0.2", 53), kT0 + 10 * kNsPerSec), sink);
    REQUIRE(sink.ended.size() == 1);
    CHECK(sink.ended[0].first.proto() == decode::kIpProtoIcmp);  // newer than the UDP one, but expired
    CHECK(sink.ended[0].second == EndReason::kTimeout);
}

TEST_CASE("flow: flush ends every flow with the given reason", "[flow]") {
    FlowTable table(100, FlowTimeouts{}, 1, 1);
    RecordingSink sink;
    for (uint16_t i = 0; i < 10; ++i) table.process(udp(ep("10.0.0.1", uint16_t(1000 + i)), ep("10.0.0.2", 53), kT0 + i), sink);
    for (uint16_t i = 0; i < 5; ++i) table.process(tcp(ep("10.0.0.1", uint16_t(2000 + i)), ep("10.0.0.2", 80), kTcpSyn, kT0 + i), sink);
    table.process(icmp(ip("10.0.0.1"), ip("10.0.0.2"), 8, 9, kT0), sink);
    REQUIRE(table.size() == 16);
    table.flush(sink, EndReason::kShutdown);
    CHECK(table.size() == 0);
    REQUIRE(sink.ended.size() == 16);
    for (const auto& [f, r] : sink.ended) CHECK(r == EndReason::kShutdown);
    CHECK(table.counters().ended_shutdown == 16);
    CHECK(table.counters().created == table.counters().ended());
    std::set<uint64_t> ids;
    for (const auto& [f, r] : sink.ended) ids.insert(f.flow_id);
    CHECK(ids.size() == 16);
    int visited = 0;
    table.for_each_recent([&](const Flow&) { return ++visited, true; });
    CHECK(visited == 0);
    // The table is reusable after a flush.
    CHECK(table.process(udp(ep("10.0.0.1", 1000), ep("10.0.0.2", 53), kT0 + kNsPerSec), sink) != nullptr);
    CHECK(table.size() == 1);
}

TEST_CASE("flow: for_each_recent visits newest first across classes", "[flow]") {
    FlowTable table(16, FlowTimeouts{}, 1, 1);
    RecordingSink sink;
    table.process(udp(ep("10.0.0.1", 1000), ep("10.0.0.2", 53), kT0 + 1), sink);
    table.process(tcp(ep("10.0.0.1", 2000), ep("10.0.0.2", 80), kTcpSyn, kT0 + 2), sink);
    table.process(icmp(ip("10.0.0.1"), ip("10.0.0.2"), 8, 5, kT0 + 3), sink);
    table.process(udp(ep("10.0.0.1", 1000), ep("10.0.0.2", 53), kT0 + 4), sink);
    std::vector<uint8_t> protos;
    table.for_each_recent([&](const Flow& f) {
        protos.push_back(f.proto());
        return true;
    });
    CHECK(protos == std::vector<uint8_t>{decode::kIpProtoUdp, decode::kIpProtoIcmp, decode::kIpProtoTcp});
    int seen = 0;
    table.for_each_recent([&](const Flow&) { return ++seen < 2; });
    CHECK(seen == 2);
}

TEST_CASE("flow: flow ids follow base + n * stride, stay below 2^53 and never 0", "[flow]") {
    RecordingSink sink;
    FlowTable w0(8, FlowTimeouts{}, 0, 4);
    FlowTable w3(8, FlowTimeouts{}, 3, 4);
    std::vector<uint64_t> a, b;
    for (uint16_t i = 0; i < 3; ++i) {
        a.push_back(w0.process(udp(ep("10.0.0.1", uint16_t(1000 + i)), ep("10.0.0.2", 53), kT0), sink)->flow_id);
        b.push_back(w3.process(udp(ep("10.0.0.1", uint16_t(1000 + i)), ep("10.0.0.2", 53), kT0), sink)->flow_id);
    }
    CHECK(a == std::vector<uint64_t>{4, 8, 12});  // 0 is skipped
    CHECK(b == std::vector<uint64_t>{3, 7, 11});

    const uint64_t max_id = (uint64_t{1} << 53) - 1;
    FlowTable hi(8, FlowTimeouts{}, max_id - 10, 7);
    std::vector<uint64_t> c;
    for (uint16_t i = 0; i < 4; ++i)
        c.push_back(hi.process(udp(ep("10.0.0.1", uint16_t(1000 + i)), ep("10.0.0.2", 53), kT0), sink)->flow_id);
    CHECK(c == std::vector<uint64_t>{max_id - 10, max_id - 3, max_id - 10, max_id - 3});
    for (uint64_t id : c) CHECK(id <= max_id);
}

TEST_CASE("flow: EVE names follow Suricata", "[flow]") {
    CHECK(std::strcmp(eve_flow_state(TcpState::kSynSent, decode::kIpProtoTcp), "new") == 0);
    CHECK(std::strcmp(eve_flow_state(TcpState::kEstablished, decode::kIpProtoTcp), "established") == 0);
    CHECK(std::strcmp(eve_flow_state(TcpState::kFinWait, decode::kIpProtoTcp), "established") == 0);
    CHECK(std::strcmp(eve_flow_state(TcpState::kReset, decode::kIpProtoTcp), "closed") == 0);
    CHECK(std::strcmp(eve_flow_state(TcpState::kNone, decode::kIpProtoUdp, false), "new") == 0);
    CHECK(std::strcmp(eve_flow_state(TcpState::kNone, decode::kIpProtoUdp, true), "established") == 0);
    CHECK(std::strcmp(eve_end_reason(EndReason::kTimeout), "timeout") == 0);
    CHECK(std::strcmp(eve_end_reason(EndReason::kTcpClosed), "timeout") == 0);
    CHECK(std::strcmp(eve_end_reason(EndReason::kActiveTimeout), "timeout") == 0);
    CHECK(std::strcmp(eve_end_reason(EndReason::kEvicted), "forced") == 0);
    CHECK(std::strcmp(eve_end_reason(EndReason::kShutdown), "shutdown") == 0);
    CHECK(std::strcmp(eve_tcp_state(TcpState::kNone), "none") == 0);
    CHECK(std::strcmp(eve_tcp_state(TcpState::kSynRecv), "syn_recv") == 0);
    CHECK(std::strcmp(eve_tcp_state(TcpState::kFinWait), "fin_wait1") == 0);
    CHECK(std::strcmp(eve_tcp_state(TcpState::kClosing), "closing") == 0);
    CHECK(std::strcmp(eve_tcp_state(TcpState::kReset), "closed") == 0);
}

TEST_CASE("flow: 1M flows fit the memory budget and insert quickly", "[flow]") {
    constexpr uint32_t kN = 1u << 20;
    FlowTable table(kN, FlowTimeouts{}, 1, 1);
    CountingSink sink;
    auto p = udp(ep("10.0.0.1", 1), ep("172.16.0.1", 53), kT0);
    const auto start = std::chrono::steady_clock::now();
    const uint64_t cpu_start = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    for (uint32_t i = 0; i < kN; ++i) {
        // Distinct keys: vary the client address and port (the key stays canonical: 10/8 < 172.16/12).
        p.key.addr_lo.bytes[13] = static_cast<uint8_t>(i >> 16);
        p.key.addr_lo.bytes[14] = static_cast<uint8_t>(i >> 8);
        p.key.addr_lo.bytes[15] = static_cast<uint8_t>(i);
        p.key.port_lo = static_cast<uint16_t>(1024 + (i & 0x3ff));
        p.ts_ns = kT0 + i;
        table.process(p, sink);
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu_secs = double(clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu_start) / 1e9;
    const double per_flow = double(table.memory_bytes()) / table.capacity();
    std::printf("flow table: sizeof(Flow)=%zu, index slots=%u, %.1f bytes/flow at capacity %u, "
                "%u inserts in %.3f s wall, %.3f s CPU (%.0f ns each, page faults included)\n",
                sizeof(Flow), table.index_slots(), per_flow, table.capacity(), kN, secs, cpu_secs,
                cpu_secs * 1e9 / kN);
    CHECK(table.size() == kN);
    CHECK(sink.count == 0);
    CHECK(table.counters().created == kN);
    CHECK(per_flow <= 256.0);
    // Second pass: every lookup hits its existing flow.
    for (uint32_t i = 0; i < kN; i += 4099) {
        p.key.addr_lo.bytes[13] = static_cast<uint8_t>(i >> 16);
        p.key.addr_lo.bytes[14] = static_cast<uint8_t>(i >> 8);
        p.key.addr_lo.bytes[15] = static_cast<uint8_t>(i);
        p.key.port_lo = static_cast<uint16_t>(1024 + (i & 0x3ff));
        const Flow* f = table.find(p.key);
        REQUIRE(f != nullptr);
        CHECK(f->pkts[0] + f->pkts[1] == 1);
    }
    // Steady state: packets of existing flows in random order (every lookup hits).
    uint32_t x = 12345;
    const uint64_t cpu_hits = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    constexpr uint32_t kHits = 1u << 20;
    for (uint32_t n = 0; n < kHits; ++n) {
        x = x * 1664525u + 1013904223u;
        const uint32_t i = x >> 12;  // 20 bits
        p.key.addr_lo.bytes[13] = static_cast<uint8_t>(i >> 16);
        p.key.addr_lo.bytes[14] = static_cast<uint8_t>(i >> 8);
        p.key.addr_lo.bytes[15] = static_cast<uint8_t>(i);
        p.key.port_lo = static_cast<uint16_t>(1024 + (i & 0x3ff));
        p.ts_ns = kT0 + kN + n;
        table.process(p, sink);
    }
    std::printf("flow table: %u packets of existing flows (1M live, random order): %.0f ns CPU each\n", kHits,
                double(clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu_hits) / kHits);
    CHECK(table.size() == kN);
    CHECK(sink.count == 0);
    // One more distinct flow evicts exactly the oldest one.
    p.key.port_lo = 9;
    table.process(p, sink);
    CHECK(sink.count == 1);
    CHECK(table.size() == kN);
}

TEST_CASE("flow: for_each_touched_since visits only flows active since a time", "[flow]") {
    FlowTable table(16, FlowTimeouts{}, 1, 1);
    RecordingSink sink;
    table.process(udp(ep("10.0.0.1", 1000), ep("10.0.0.2", 53), kT0), sink);
    table.process(tcp(ep("10.0.0.1", 2000), ep("10.0.0.2", 80), kTcpSyn, kT0 + 10), sink);
    table.process(udp(ep("10.0.0.1", 1001), ep("10.0.0.2", 53), kT0 + 20), sink);
    table.process(icmp(ip("10.0.0.1"), ip("10.0.0.2"), 8, 3, kT0 + 30), sink);
    std::set<uint16_t> seen;
    table.for_each_touched_since(kT0 + 10, [&](Flow& f) {
        seen.insert(f.client_port());
        f.reported_bytes = f.total_bytes();
        f.reported_pkts = static_cast<uint32_t>(f.total_pkts());
    });
    CHECK(seen == std::set<uint16_t>{2000, 1001, 3});
    const Flow* f = table.find(udp(ep("10.0.0.1", 1001), ep("10.0.0.2", 53), kT0).key);
    REQUIRE(f != nullptr);
    CHECK(f->reported_pkts == 1);
    CHECK(f->reported_bytes == f->total_bytes());
    int n = 0;
    table.for_each_touched_since(kT0 + 31, [&](Flow&) { ++n; });
    CHECK(n == 0);
}
