#include <catch2/catch.hpp>

#include "flow/flow_table.hpp"
#include "flow_test_util.hpp"

using namespace nms;
using namespace nms::flow;
using namespace nms::flow::test;
using decode::kTcpAck;
using decode::kTcpSyn;

namespace {
FlowTimeouts distinct_timeouts() {
    FlowTimeouts t;
    t.tcp_new_s = 30;
    t.tcp_established_s = 600;
    t.tcp_closed_s = 10;
    t.udp_s = 120;
    t.icmp_s = 60;
    t.other_s = 90;
    t.active_s = 0;
    return t;
}

decode::PacketView other_proto(TimestampNs ts) {
    decode::PacketView p = udp(ep("10.0.0.1", 0), ep("10.0.0.2", 0), ts);
    p.ip_proto = decode::kIpProtoGre;
    p.key.proto = decode::kIpProtoGre;
    return p;
}
}  // namespace

TEST_CASE("flow: idle timeout per protocol and state via expire()", "[flow]") {
    FlowTable table(64, distinct_timeouts(), 1, 1);
    RecordingSink sink;
    // Created in an order where the longest-lived comes first, so a single LRU walk that
    // stopped at the first live flow would never reach the others.
    table.process(tcp(ep("10.0.0.1", 1000), ep("10.0.0.2", 80), kTcpAck, kT0, 1, 1, 10), sink);  // established
    table.process(udp(ep("10.0.0.1", 2000), ep("10.0.0.2", 53), kT0 + 1), sink);
    table.process(icmp(ip("10.0.0.1"), ip("10.0.0.2"), 8, 7, kT0 + 2), sink);
    table.process(other_proto(kT0 + 3), sink);
    table.process(tcp(ep("10.0.0.1", 3000), ep("10.0.0.2", 80), kTcpSyn, kT0 + 4), sink);  // new
    REQUIRE(table.size() == 5);

    const auto ended_protos = [&] {
        std::vector<uint8_t> v;
        for (const auto& e : sink.ended) v.push_back(e.first.proto());
        return v;
    };
    table.expire(kT0 + 30 * kNsPerSec, sink);
    CHECK(sink.ended.empty());  // "idle longer than" the timeout, not equal
    table.expire(kT0 + 31 * kNsPerSec, sink);
    CHECK(ended_protos() == std::vector<uint8_t>{decode::kIpProtoTcp});  // the unanswered SYN
    CHECK(sink.ended.back().first.tcp_state == TcpState::kSynSent);
    table.expire(kT0 + 61 * kNsPerSec, sink);
    CHECK(ended_protos() == std::vector<uint8_t>{decode::kIpProtoTcp, decode::kIpProtoIcmp});
    table.expire(kT0 + 91 * kNsPerSec, sink);
    CHECK(ended_protos().back() == decode::kIpProtoGre);
    table.expire(kT0 + 121 * kNsPerSec, sink);
    CHECK(ended_protos().back() == decode::kIpProtoUdp);
    CHECK(table.size() == 1);
    table.expire(kT0 + 601 * kNsPerSec, sink);
    CHECK(table.size() == 0);
    CHECK(ended_protos().back() == decode::kIpProtoTcp);
    for (const auto& [f, r] : sink.ended) CHECK(r == EndReason::kTimeout);
    CHECK(table.counters().ended_timeout == 5);
}

TEST_CASE("flow: activity postpones the idle timeout", "[flow]") {
    FlowTable table(8, distinct_timeouts(), 1, 1);
    RecordingSink sink;
    const auto a = ep("10.0.0.1", 2000);
    const auto b = ep("10.0.0.2", 53);
    for (int i = 0; i < 10; ++i) {
        table.process(udp(a, b, kT0 + uint64_t(i) * 100 * kNsPerSec), sink);
        table.expire(kT0 + uint64_t(i) * 100 * kNsPerSec + 50 * kNsPerSec, sink);
    }
    CHECK(sink.ended.empty());
    table.expire(kT0 + 900 * kNsPerSec + 121 * kNsPerSec, sink);
    REQUIRE(sink.ended.size() == 1);
    CHECK(sink.ended[0].first.pkts[kToServer] == 10);
}

TEST_CASE("flow: a packet for a flow idle past its timeout starts a new flow even before expire()", "[flow]") {
    FlowTable table(8, distinct_timeouts(), 1, 1);
    RecordingSink sink;
    const auto a = ep("10.0.0.1", 2000);
    const auto b = ep("10.0.0.2", 53);
    const Flow* f = table.process(udp(a, b, kT0), sink);
    const uint64_t first_id = f->flow_id;
    const Flow* g = table.process(udp(b, a, kT0 + 200 * kNsPerSec), sink);
    REQUIRE(sink.ended.size() == 1);
    CHECK(sink.ended[0].second == EndReason::kTimeout);
    CHECK(sink.ended[0].first.flow_id == first_id);
    CHECK(g->flow_id != first_id);
    CHECK(g->total_pkts() == 1);
    CHECK(g->client_ip() == ip("10.0.0.1"));  // port heuristic: 53 -> 2000 is the server talking
}

TEST_CASE("flow: active timeout reports a long flow and restarts it", "[flow]") {
    FlowTimeouts t = distinct_timeouts();
    t.active_s = 300;
    FlowTable table(8, t, 1, 1);
    RecordingSink sink;
    const auto cli = ep("10.0.0.1", 40000);
    const auto srv = ep("10.0.0.2", 443);
    table.process(tcp(cli, srv, kTcpSyn, kT0, 100), sink);
    table.process(tcp(srv, cli, kTcpSyn | kTcpAck, kT0 + kNsPerMs, 500, 101), sink);
    Flow* f = table.process(tcp(cli, srv, kTcpAck, kT0 + 2 * kNsPerMs, 101, 501), sink);
    const uint64_t first_id = f->flow_id;
    uint32_t seq = 101;
    for (int i = 1; i <= 3; ++i) {  // at 100 s, 200 s, 299 s: still one record
        table.process(tcp(cli, srv, kTcpAck, kT0 + uint64_t(i == 3 ? 299 : i * 100) * kNsPerSec, seq, 501, 10), sink);
        seq += 10;
    }
    CHECK(sink.ended.empty());
    f->reported_bytes = f->total_bytes();  // as the snapshot builder marks it
    f->reported_pkts = static_cast<uint32_t>(f->total_pkts());
    // At 300 s the record is reported, then the packet counts in the restarted record.
    Flow* g = table.process(tcp(cli, srv, kTcpAck, kT0 + 300 * kNsPerSec, seq, 501, 10), sink);
    REQUIRE(sink.ended.size() == 1);
    CHECK(sink.ended[0].second == EndReason::kActiveTimeout);
    CHECK(sink.ended[0].first.flow_id == first_id);
    CHECK(sink.ended[0].first.pkts[kToServer] == 5);
    CHECK(sink.ended[0].first.pkts[kToClient] == 1);
    CHECK(sink.ended[0].first.first_ns == kT0);
    CHECK(g == f);  // same slot, same key
    CHECK(g->flow_id != first_id);
    CHECK(g->first_ns == kT0 + 300 * kNsPerSec);
    CHECK(g->pkts[kToServer] == 1);
    CHECK(g->pkts[kToClient] == 0);
    CHECK(g->reported_bytes == 0);  // deltas restart with the record
    CHECK(g->reported_pkts == 0);
    CHECK(g->tcp_state == TcpState::kEstablished);  // the connection goes on
    CHECK(g->has_rtt);
    CHECK(g->retransmits[kToServer] == 0);  // sequence tracking carried over
    CHECK(table.counters().active_timeouts == 1);
    CHECK(table.counters().created - table.counters().ended() == table.size());
}

TEST_CASE("flow: timeouts can change at run time", "[flow]") {
    FlowTable table(8, distinct_timeouts(), 1, 1);
    RecordingSink sink;
    table.process(udp(ep("10.0.0.1", 2000), ep("10.0.0.2", 53), kT0), sink);
    FlowTimeouts t = distinct_timeouts();
    t.udp_s = 5;
    table.set_timeouts(t);
    CHECK(table.timeouts().udp_s == 5);
    table.expire(kT0 + 6 * kNsPerSec, sink);
    CHECK(sink.ended.size() == 1);
}
