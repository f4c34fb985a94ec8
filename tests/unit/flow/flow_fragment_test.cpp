#include <catch2/catch.hpp>

#include "flow/flow_table.hpp"
#include "flow_test_util.hpp"

using namespace nms;
using namespace nms::flow;
using namespace nms::flow::test;

namespace {
// First fragment of a UDP datagram: has ports.
decode::PacketView first_frag(const Endpoint& src, const Endpoint& dst, uint32_t id, TimestampNs ts) {
    decode::PacketView p = udp(src, dst, ts, 1472);
    p.is_fragment = true;
    p.first_fragment = true;
    p.ip_frag_id = id;
    p.ip_id = static_cast<uint16_t>(id);
    p.ip_payload_len = 1480;
    p.wirelen = 1514;
    return p;
}
// A later fragment: no L4 header, ports 0 in the key.
decode::PacketView later_frag(const IpAddr& src, const IpAddr& dst, uint32_t id, TimestampNs ts, uint16_t len) {
    decode::PacketView p = udp({src, 0}, {dst, 0}, ts, len);
    p.is_fragment = true;
    p.first_fragment = false;
    p.frag_offset = 1480;
    p.ip_frag_id = id;
    p.ip_id = static_cast<uint16_t>(id);
    p.ip_payload_len = len;
    p.wirelen = 14u + 20u + len;
    return p;
}
}  // namespace

TEST_CASE("flow: IP fragments are counted in the flow of their datagram", "[flow]") {
    FlowTable table(16, FlowTimeouts{}, 1, 1);
    RecordingSink sink;
    const auto cli = ep("10.0.0.9", 40000);  // higher address: the client is the key's hi side
    const auto srv = ep("10.0.0.1", 4789);
    Flow* f = table.process(first_frag(cli, srv, 0x1234, kT0), sink);
    Flow* g = table.process(later_frag(cli.addr, srv.addr, 0x1234, kT0 + 1, 500), sink);
    REQUIRE(f == g);
    CHECK(table.last_dir() == kToServer);
    // The reply, fragmented too, goes the other way with its own id.
    table.process(first_frag(srv, cli, 0x0042, kT0 + 2), sink);
    Flow* h = table.process(later_frag(srv.addr, cli.addr, 0x0042, kT0 + 3, 100), sink);
    REQUIRE(h == f);
    CHECK(table.last_dir() == kToClient);
    // Same id in the other direction is another datagram: the tracker keys by (src, dst, id).
    table.process(later_frag(srv.addr, cli.addr, 0x1234, kT0 + 4, 60), sink);

    CHECK(f->pkts[kToServer] == 2);
    CHECK(f->pkts[kToClient] == 2);
    CHECK(f->bytes[kToServer] == 1514 + 14 + 20 + 500);
    CHECK(f->bytes[kToClient] == 1514 + 14 + 20 + 100);
    CHECK(f->payload_bytes[kToServer] == 1472 + 500);
    CHECK(table.size() == 2);  // the flow + one unmatched ports-0 flow
    CHECK(table.counters().fragments_first == 2);
    CHECK(table.counters().fragments_matched == 2);
    CHECK(table.counters().fragments_unmatched == 1);
    decode::FlowKey zero_ports = f->key;
    zero_ports.port_lo = zero_ports.port_hi = 0;
    const Flow* orphan = table.find(zero_ports);
    REQUIRE(orphan != nullptr);
    CHECK(orphan->total_pkts() == 1);
}

TEST_CASE("flow: fragments whose first fragment is unknown or too old become a ports-0 flow", "[flow]") {
    FlowTable table(16, FlowTimeouts{}, 1, 1);
    RecordingSink sink;
    const auto cli = ep("10.0.0.9", 40000);
    const auto srv = ep("10.0.0.1", 4789);
    table.process(later_frag(cli.addr, srv.addr, 7, kT0, 200), sink);  // arrives before its first fragment
    CHECK(table.counters().fragments_unmatched == 1);
    table.process(first_frag(cli, srv, 8, kT0 + 1), sink);
    table.process(later_frag(cli.addr, srv.addr, 8, kT0 + 31 * kNsPerSec, 200), sink);  // entry expired (30 s)
    CHECK(table.counters().fragments_unmatched == 2);
    CHECK(table.counters().fragments_matched == 0);
    REQUIRE(table.size() == 2);
    const Flow* full = nullptr;
    table.for_each_recent([&](const Flow& f) {
        if (f.key.port_lo != 0) full = &f;
        return true;
    });
    REQUIRE(full != nullptr);
    CHECK(full->total_pkts() == 1);
}

TEST_CASE("flow: the fragment tracker is bounded and overwrites the oldest entry", "[flow]") {
    FragmentTracker tracker(8, 30 * kNsPerSec);
    CHECK(tracker.entries() == 8);
    const auto cli = ep("10.0.0.9", 40000);
    const auto srv = ep("10.0.0.1", 53);
    uint32_t overwrites = 0;
    for (uint32_t id = 0; id < 100; ++id) overwrites += tracker.record(first_frag(cli, srv, id, kT0 + id)) ? 1u : 0u;
    CHECK(overwrites == 92);
    uint32_t found = 0;
    for (uint32_t id = 0; id < 100; ++id)
        found += tracker.find(later_frag(cli.addr, srv.addr, id, kT0 + 200, 10)) != nullptr ? 1u : 0u;
    CHECK(found == 8);
    const auto* m = tracker.find(later_frag(cli.addr, srv.addr, 99, kT0 + 200, 10));
    REQUIRE(m != nullptr);  // the newest always survives
    CHECK(m->key.port_hi == 40000);
    CHECK(m->swapped);
}
