#include <catch2/catch.hpp>

#include <cstring>

#include "flow/flow_table.hpp"
#include "flow/flow_update.hpp"
#include "flow_test_util.hpp"

using namespace nms;
using namespace nms::flow;
using namespace nms::flow::test;
using decode::kTcpAck;
using decode::kTcpFin;
using decode::kTcpPsh;
using decode::kTcpRst;
using decode::kTcpSyn;

namespace {
const auto kCli = ep("10.0.0.20", 40000);
const auto kSrv = ep("10.0.0.10", 443);
constexpr uint32_t kIsnC = 1000;
constexpr uint32_t kIsnS = 5000;

// SYN at t0, SYN+ACK at t0+10 ms, ACK at t0+12 ms.
Flow* handshake(FlowTable& table, FlowEndSink& sink, TimestampNs t0, uint32_t isn_c = kIsnC, uint32_t isn_s = kIsnS) {
    table.process(tcp(kCli, kSrv, kTcpSyn, t0, isn_c), sink);
    table.process(tcp(kSrv, kCli, kTcpSyn | kTcpAck, t0 + 10 * kNsPerMs, isn_s, isn_c + 1), sink);
    return table.process(tcp(kCli, kSrv, kTcpAck, t0 + 12 * kNsPerMs, isn_c + 1, isn_s + 1), sink);
}
}  // namespace

TEST_CASE("flow: TCP handshake states and RTT on a fake clock", "[flow]") {
    FlowTable table(16, FlowTimeouts{}, 1, 1);
    RecordingSink sink;
    Flow* f = table.process(tcp(kCli, kSrv, kTcpSyn, kT0, kIsnC), sink);
    CHECK(f->tcp_state == TcpState::kSynSent);
    CHECK(FlowTable::class_of(*f) == FlowTable::kTcpNew);
    CHECK(std::strcmp(eve_flow_state(*f), "new") == 0);
    table.process(tcp(kSrv, kCli, kTcpSyn | kTcpAck, kT0 + 10 * kNsPerMs, kIsnS, kIsnC + 1), sink);
    CHECK(f->tcp_state == TcpState::kSynRecv);
    CHECK(f->rtt_server_us == 10'000);
    CHECK_FALSE(f->has_rtt);
    table.process(tcp(kCli, kSrv, kTcpAck, kT0 + 12 * kNsPerMs, kIsnC + 1, kIsnS + 1), sink);
    CHECK(f->tcp_state == TcpState::kEstablished);
    CHECK(FlowTable::class_of(*f) == FlowTable::kTcpEstablished);
    CHECK(f->rtt_client_us == 2'000);
    CHECK(f->has_rtt);
    CHECK(f->tcp_flags[kToServer] == (kTcpSyn | kTcpAck));
    CHECK(f->tcp_flags[kToClient] == (kTcpSyn | kTcpAck));
    CHECK(std::strcmp(eve_tcp_state(f->tcp_state), "established") == 0);
    CHECK(f->retransmits[0] + f->retransmits[1] + f->out_of_order[0] + f->out_of_order[1] == 0);
}

TEST_CASE("flow: TCP handshake variants", "[flow]") {
    FlowTable table(16, FlowTimeouts{}, 1, 1);
    RecordingSink sink;
    SECTION("retransmitted SYN: RTT is measured from the latest SYN") {
        table.process(tcp(kCli, kSrv, kTcpSyn, kT0, kIsnC), sink);
        table.process(tcp(kCli, kSrv, kTcpSyn, kT0 + kNsPerSec, kIsnC), sink);
        Flow* f = table.process(tcp(kSrv, kCli, kTcpSyn | kTcpAck, kT0 + kNsPerSec + 7 * kNsPerMs, kIsnS, kIsnC + 1), sink);
        CHECK(f->rtt_server_us == 7'000);
        CHECK(f->retransmits[kToServer] == 0);  // SYNs carry no payload
    }
    SECTION("first packet is a SYN+ACK: no server RTT, so no has_rtt") {
        table.process(tcp(kSrv, kCli, kTcpSyn | kTcpAck, kT0, kIsnS, kIsnC + 1), sink);
        Flow* f = table.process(tcp(kCli, kSrv, kTcpAck, kT0 + 3 * kNsPerMs, kIsnC + 1, kIsnS + 1), sink);
        CHECK(f->tcp_state == TcpState::kEstablished);
        CHECK(f->rtt_client_us == 3'000);
        CHECK_FALSE(f->has_rtt);
    }
    SECTION("mid-stream pickup is established at once") {
        Flow* f = table.process(tcp(kSrv, kCli, kTcpAck | kTcpPsh, kT0, 77, 88, 100), sink);
        CHECK(f->tcp_state == TcpState::kEstablished);
        CHECK_FALSE(f->has_rtt);
    }
    SECTION("SYN+ACK missed by the monitor: the client's ACK establishes") {
        table.process(tcp(kCli, kSrv, kTcpSyn, kT0, kIsnC), sink);
        Flow* f = table.process(tcp(kCli, kSrv, kTcpAck, kT0 + kNsPerMs, kIsnC + 1, kIsnS + 1), sink);
        CHECK(f->tcp_state == TcpState::kEstablished);
        CHECK_FALSE(f->has_rtt);
    }
}

TEST_CASE("flow: FIN handshake closes, then the closed linger ends the flow", "[flow]") {
    FlowTimeouts t;
    t.tcp_closed_s = 10;
    FlowTable table(16, t, 1, 1);
    RecordingSink sink;
    Flow* f = handshake(table, sink, kT0);
    const TimestampNs t1 = kT0 + kNsPerSec;
    table.process(tcp(kCli, kSrv, kTcpAck | kTcpPsh, t1, kIsnC + 1, kIsnS + 1, 100), sink);
    table.process(tcp(kSrv, kCli, kTcpAck, t1 + 1, kIsnS + 1, kIsnC + 101), sink);
    table.process(tcp(kCli, kSrv, kTcpFin | kTcpAck, t1 + 2, kIsnC + 101, kIsnS + 1), sink);
    CHECK(f->tcp_state == TcpState::kFinWait);
    CHECK(FlowTable::class_of(*f) == FlowTable::kTcpEstablished);
    table.process(tcp(kSrv, kCli, kTcpFin | kTcpAck, t1 + 3, kIsnS + 1, kIsnC + 102), sink);
    CHECK(f->tcp_state == TcpState::kClosing);
    CHECK(FlowTable::class_of(*f) == FlowTable::kTcpClosed);
    table.process(tcp(kCli, kSrv, kTcpAck, t1 + 4, kIsnC + 102, kIsnS + 2), sink);
    CHECK(f->tcp_state == TcpState::kClosed);
    CHECK(std::strcmp(eve_flow_state(*f), "closed") == 0);
    CHECK(f->retransmits[0] + f->retransmits[1] + f->out_of_order[0] + f->out_of_order[1] == 0);

    table.expire(t1 + 9 * kNsPerSec, sink);
    CHECK(sink.ended.empty());  // still lingering
    table.expire(t1 + 11 * kNsPerSec, sink);
    REQUIRE(sink.ended.size() == 1);
    CHECK(sink.ended[0].second == EndReason::kTcpClosed);
    CHECK(sink.ended[0].first.pkts[kToServer] == 5);
    CHECK(sink.ended[0].first.pkts[kToClient] == 3);
    CHECK(table.size() == 0);
    CHECK(table.counters().ended_closed == 1);
}

TEST_CASE("flow: an ACK that does not cover the FIN leaves the flow closing", "[flow]") {
    FlowTable table(16, FlowTimeouts{}, 1, 1);
    RecordingSink sink;
    Flow* f = handshake(table, sink, kT0);
    table.process(tcp(kCli, kSrv, kTcpFin | kTcpAck, kT0 + kNsPerSec, kIsnC + 1, kIsnS + 1), sink);
    table.process(tcp(kSrv, kCli, kTcpFin | kTcpAck, kT0 + kNsPerSec + 1, kIsnS + 1, kIsnC + 1), sink);  // FIN not acked
    CHECK(f->tcp_state == TcpState::kClosing);
    table.process(tcp(kCli, kSrv, kTcpAck, kT0 + kNsPerSec + 2, kIsnC + 2, kIsnS + 2), sink);
    CHECK(f->tcp_state == TcpState::kClosing);  // the server has not acked the client's FIN yet
    table.process(tcp(kSrv, kCli, kTcpAck, kT0 + kNsPerSec + 3, kIsnS + 2, kIsnC + 2), sink);
    CHECK(f->tcp_state == TcpState::kClosed);
}

TEST_CASE("flow: RST closes at once and lingers in the closed class", "[flow]") {
    FlowTable table(16, FlowTimeouts{}, 1, 1);
    RecordingSink sink;
    Flow* f = handshake(table, sink, kT0);
    table.process(tcp(kSrv, kCli, kTcpRst | kTcpAck, kT0 + kNsPerSec, kIsnS + 1, kIsnC + 1), sink);
    CHECK(f->tcp_state == TcpState::kReset);
    CHECK(FlowTable::class_of(*f) == FlowTable::kTcpClosed);
    CHECK(std::strcmp(eve_tcp_state(f->tcp_state), "closed") == 0);
    // A late packet neither reopens nor ends it.
    table.process(tcp(kCli, kSrv, kTcpAck, kT0 + kNsPerSec + 1, kIsnC + 1, kIsnS + 1), sink);
    CHECK(f->tcp_state == TcpState::kReset);
    table.expire(kT0 + 20 * kNsPerSec, sink);
    REQUIRE(sink.ended.size() == 1);
    CHECK(sink.ended[0].second == EndReason::kTcpClosed);
}

TEST_CASE("flow: a new SYN on a closed tuple ends the old flow and starts a new one", "[flow]") {
    FlowTable table(16, FlowTimeouts{}, 1, 1);
    RecordingSink sink;
    Flow* f = handshake(table, sink, kT0);
    const uint64_t old_id = f->flow_id;
    table.process(tcp(kCli, kSrv, kTcpRst, kT0 + kNsPerSec, kIsnC + 1), sink);
    Flow* g = table.process(tcp(kCli, kSrv, kTcpSyn, kT0 + 2 * kNsPerSec, 99999), sink);
    REQUIRE(sink.ended.size() == 1);
    CHECK(sink.ended[0].first.flow_id == old_id);
    CHECK(sink.ended[0].second == EndReason::kTcpClosed);
    CHECK(g->flow_id != old_id);
    CHECK(g->tcp_state == TcpState::kSynSent);
    CHECK(g->total_pkts() == 1);
    CHECK(table.counters().tcp_port_reuse == 1);
    CHECK(table.size() == 1);
}

TEST_CASE("flow: retransmissions and out-of-order segments", "[flow]") {
    FlowTable table(16, FlowTimeouts{}, 1, 1);
    RecordingSink sink;
    TimestampNs t = kT0 + kNsPerSec;
    const auto data = [&](uint32_t seq, uint32_t len) {
        return table.process(tcp(kCli, kSrv, kTcpAck | kTcpPsh, t += kNsPerMs, seq, kIsnS + 1, len), sink);
    };

    SECTION("plain sequence") {
        uint32_t isn = kIsnC;
        SECTION("isn far from wraparound") {}
        SECTION("sequence numbers wrap around 2^32") { isn = 0xffffff00u; }
        Flow* f = handshake(table, sink, kT0, isn);
        data(isn + 1, 100);
        data(isn + 101, 100);         // in order (crosses 2^32 in the wrap case)
        data(isn + 101, 100);         // exact resend -> retransmit
        CHECK(f->retransmits[kToServer] == 1);
        data(isn + 151, 100);         // overlaps old data -> retransmit, advances
        CHECK(f->retransmits[kToServer] == 2);
        data(isn + 351, 50);          // 251..350 missing -> out of order
        CHECK(f->out_of_order[kToServer] == 1);
        data(isn + 251, 100);         // the late segment fills the hole -> counted as retransmit
        CHECK(f->retransmits[kToServer] == 3);
        data(isn + 401, 10);          // in order again
        CHECK(f->retransmits[kToServer] == 3);
        CHECK(f->out_of_order[kToServer] == 1);
        CHECK(f->retransmits[kToClient] == 0);
        CHECK(f->next_seq[kToServer] == isn + 411);
        // Pure ACKs never count.
        table.process(tcp(kSrv, kCli, kTcpAck, t += kNsPerMs, kIsnS + 1, isn + 411), sink);
        table.process(tcp(kSrv, kCli, kTcpAck, t += kNsPerMs, kIsnS + 1, isn + 411), sink);
        CHECK(f->retransmits[kToClient] == 0);
    }
    SECTION("a wrapped sequence number is not mistaken for an old one") {
        Flow* f = handshake(table, sink, kT0, 0xfffffff0u);
        data(0xfffffff1u, 0x20);      // ends at 0x11 after the wrap
        data(0x00000011u, 0x10);
        CHECK(f->retransmits[kToServer] == 0);
        CHECK(f->out_of_order[kToServer] == 0);
        data(0xfffffff1u, 0x20);      // before the wrap: old data
        CHECK(f->retransmits[kToServer] == 1);
    }
}

TEST_CASE("flow: truncated captures use the IP length for the sequence space", "[flow]") {
    // Ethernet + IPv4 (IHL 5) + TCP (20) + 1000 bytes payload, captured with a 96-byte snap length.
    uint8_t frame[96]{};
    frame[14] = 0x45;
    decode::PacketView p = tcp(kCli, kSrv, kTcpAck, kT0, 1, 1, 0);
    p.data = frame;
    p.caplen = sizeof frame;
    p.wirelen = 14 + 20 + 20 + 1000;
    p.l3_off = 14;
    p.ip_payload_len = 20 + 1000;
    p.payload = ByteView(frame + 54, sizeof frame - 54);
    CHECK(l4_wire_payload_len(p) == 1000);
    p.caplen = p.wirelen = 96;  // complete frame: the captured payload is exact
    CHECK(l4_wire_payload_len(p) == 42);

    FlowTable table(4, FlowTimeouts{}, 1, 1);
    RecordingSink sink;
    p.caplen = sizeof frame;
    p.wirelen = 14 + 20 + 20 + 1000;
    Flow* f = table.process(p, sink);
    p.tcp_seq = 1001;
    p.ts_ns += 1;
    table.process(p, sink);
    CHECK(f->out_of_order[kToServer] == 0);
    CHECK(f->retransmits[kToServer] == 0);
    CHECK(f->payload_bytes[kToServer] == 2000);
}

TEST_CASE("flow: jitter is the RFC 3550 smoothed change of inter-arrival gaps", "[flow]") {
    FlowTable table(4, FlowTimeouts{}, 1, 1);
    RecordingSink sink;
    const auto a = ep("10.0.0.1", 5004);
    const auto b = ep("10.0.0.2", 5004);
    Flow* f = nullptr;
    for (int i = 0; i < 50; ++i) f = table.process(udp(a, b, kT0 + uint64_t(i) * 20 * kNsPerMs), sink);
    CHECK(f->jitter_us[kToServer] == 0);  // perfectly regular 20 ms
    CHECK(f->last_gap_us[kToServer] == 20'000);
    // Alternate 10 ms / 30 ms gaps: |D| = 20 ms each time, J converges towards 20 ms.
    TimestampNs t = kT0 + 49 * 20 * kNsPerMs;
    for (int i = 0; i < 200; ++i) f = table.process(udp(a, b, t += (i % 2 ? 30 : 10) * kNsPerMs), sink);
    CHECK(f->jitter_us[kToServer] > 19'000);
    CHECK(f->jitter_us[kToServer] <= 20'000);
    CHECK(f->jitter_us[kToClient] == 0);
}
