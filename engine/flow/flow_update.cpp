#include "flow/flow_update.hpp"

#include <algorithm>
#include <cstdlib>

namespace nms::flow {
namespace {

using decode::kTcpAck;
using decode::kTcpFin;
using decode::kTcpRst;
using decode::kTcpSyn;

constexpr uint8_t bit_of(uint8_t b, unsigned d) noexcept { return static_cast<uint8_t>(b << d); }

uint32_t sat_add(uint32_t a, uint64_t b) noexcept {
    const uint64_t s = a + b;
    return s > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(s);
}

uint32_t ns_to_us(uint64_t ns) noexcept {
    const uint64_t us = ns / kNsPerUs;
    return us > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(us);
}

// Sequence-space comparison that survives 32-bit wraparound (RFC 1982 style).
int32_t seq_diff(uint32_t a, uint32_t b) noexcept { return static_cast<int32_t>(a - b); }

// RFC 3550 §6.4.1 applied to what a monitor sees: D is the change between two consecutive
// inter-arrival gaps of one direction, J += (|D| - J) / 16.
void update_jitter(Flow& f, unsigned d, TimestampNs now) noexcept {
    const TimestampNs prev = f.dir_last_ns[d];
    if (prev != 0 && now >= prev) {
        const uint32_t gap = ns_to_us(now - prev);
        if (f.pkts[d] >= 2) {
            const int64_t delta = std::llabs(int64_t{gap} - int64_t{f.last_gap_us[d]});
            const int64_t j = int64_t{f.jitter_us[d]} + (delta - int64_t{f.jitter_us[d]}) / 16;
            f.jitter_us[d] = static_cast<uint32_t>(std::clamp<int64_t>(j, 0, UINT32_MAX));
        }
        f.last_gap_us[d] = gap;
    }
    if (now > prev) f.dir_last_ns[d] = now;
}

// Retransmission / out-of-order heuristic (one direction, like Zeek's conn.log history):
// a payload segment that ends at or before next_seq, or starts before it, resends bytes
// already seen -> retransmit; one that starts after next_seq leaves a gap -> out of order
// (a late segment that later fills the gap then counts as a retransmit). next_seq only
// moves forward.
void track_sequence(Flow& f, unsigned d, const decode::PacketView& pkt, uint32_t plen) noexcept {
    const uint8_t fl = pkt.tcp_flags;
    if (fl & kTcpRst) return;  // RST sequence numbers say nothing about the data stream
    const uint32_t space = plen + ((fl & kTcpSyn) ? 1u : 0u) + ((fl & kTcpFin) ? 1u : 0u);
    if (!(f.tcp_bits & bit_of(kSeqInit, d))) {
        f.next_seq[d] = pkt.tcp_seq + space;
        f.tcp_bits |= bit_of(kSeqInit, d);
        return;
    }
    if (space == 0) return;
    const uint32_t end = pkt.tcp_seq + space;
    const int32_t start_diff = seq_diff(pkt.tcp_seq, f.next_seq[d]);
    if (seq_diff(end, f.next_seq[d]) <= 0) {
        if (plen > 0) ++f.retransmits[d];
        return;
    }
    if (plen > 0) {
        if (start_diff < 0) ++f.retransmits[d];
        else if (start_diff > 0) ++f.out_of_order[d];
    }
    f.next_seq[d] = end;
}

void track_tcp_state(Flow& f, Dir d, const decode::PacketView& pkt) noexcept {
    const uint8_t fl = pkt.tcp_flags;
    const bool syn = fl & kTcpSyn;
    const bool ack = fl & kTcpAck;
    const unsigned other = 1u - d;
    const TimestampNs now = pkt.ts_ns;

    if (f.tcp_state == TcpState::kReset || f.tcp_state == TcpState::kClosed) return;
    if (fl & kTcpRst) {
        f.tcp_state = TcpState::kReset;
        return;
    }

    // The other side's FIN is acknowledged once an ACK covers it (it is in next_seq[other]).
    if (ack && (f.tcp_bits & bit_of(kFinSeen, other)) && (f.tcp_bits & bit_of(kSeqInit, other)) &&
        seq_diff(pkt.tcp_ack, f.next_seq[other]) >= 0)
        f.tcp_bits |= bit_of(kFinAcked, other);

    switch (f.tcp_state) {
        case TcpState::kNone:
            if (syn) {
                f.tcp_state = ack ? TcpState::kSynRecv : TcpState::kSynSent;
                f.handshake_ns = now;
            } else {
                f.tcp_state = TcpState::kEstablished;  // picked up mid-stream
            }
            break;
        case TcpState::kSynSent:
            if (syn && ack && d == kToClient) {
                f.rtt_server_us = now >= f.handshake_ns ? ns_to_us(now - f.handshake_ns) : 0;
                f.tcp_bits |= kSynRttKnown;
                f.handshake_ns = now;
                f.tcp_state = TcpState::kSynRecv;
            } else if (syn && !ack && d == kToServer) {
                f.handshake_ns = now;  // SYN retransmitted: the answer is to the latest one
            } else if (!syn) {
                f.tcp_state = TcpState::kEstablished;  // SYN+ACK missed by the monitor
            }
            break;
        case TcpState::kSynRecv:
            if (syn && ack && d == kToClient) {
                f.handshake_ns = now;  // SYN+ACK retransmitted
            } else if (!syn && ack && d == kToServer) {
                f.rtt_client_us = now >= f.handshake_ns ? ns_to_us(now - f.handshake_ns) : 0;
                f.has_rtt = (f.tcp_bits & kSynRttKnown) != 0;
                f.tcp_state = TcpState::kEstablished;
            } else if (!syn) {
                f.tcp_state = TcpState::kEstablished;
            }
            break;
        default:
            break;
    }

    if (fl & kTcpFin) f.tcp_bits |= bit_of(kFinSeen, d);
    const uint8_t fins = f.tcp_bits & (kFinSeen | bit_of(kFinSeen, 1));
    if (fins == (kFinSeen | bit_of(kFinSeen, 1))) {
        const uint8_t both_acked = kFinAcked | bit_of(kFinAcked, 1);
        f.tcp_state = (f.tcp_bits & both_acked) == both_acked ? TcpState::kClosed : TcpState::kClosing;
    } else if (fins != 0) {
        f.tcp_state = TcpState::kFinWait;
    }
}

}  // namespace

bool first_sender_is_client(const decode::PacketView& pkt, uint8_t proto, uint16_t src_port,
                            uint16_t dst_port, bool has_l4) noexcept {
    if (has_l4 && proto == decode::kIpProtoTcp) {
        const uint8_t fl = pkt.tcp_flags;
        if ((fl & kTcpSyn) && (fl & kTcpAck)) return false;
        if (fl & kTcpSyn) return true;
    }
    if (has_l4 && proto == decode::kIpProtoIcmp && (pkt.icmp_type == 0 || pkt.icmp_type == 14)) return false;
    if (has_l4 && proto == decode::kIpProtoIcmpv6 && pkt.icmp_type == 129) return false;
    if (proto == decode::kIpProtoTcp || proto == decode::kIpProtoUdp || proto == decode::kIpProtoSctp)
        if (src_port != 0 && src_port < 1024 && dst_port >= 1024) return false;
    return true;
}

uint32_t l4_wire_payload_len(const decode::PacketView& pkt) noexcept {
    const size_t captured = pkt.payload.size;
    const auto clamp32 = [](size_t n) { return n > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(n); };
    // A complete frame's payload is exact (decode clips it to the IP length already).
    if (pkt.caplen >= pkt.wirelen || pkt.data == nullptr || pkt.payload.data == nullptr ||
        pkt.ip_payload_len == 0)
        return clamp32(captured);
    if (pkt.payload.data < pkt.data || pkt.payload.data > pkt.data + pkt.caplen) return clamp32(captured);
    const size_t payload_off = static_cast<size_t>(pkt.payload.data - pkt.data);
    size_t l3_hdr = 0;
    if (pkt.l3 == decode::L3::kIpv4) {
        if (pkt.l3_off >= pkt.caplen) return clamp32(captured);
        l3_hdr = size_t{static_cast<uint8_t>(pkt.data[pkt.l3_off] & 0x0f)} * 4;
    } else if (pkt.l3 == decode::L3::kIpv6) {
        l3_hdr = 40;  // ip_payload_len counts extension headers, which follow these 40 bytes
    } else {
        return clamp32(captured);
    }
    const size_t l3_end = size_t{pkt.l3_off} + l3_hdr + pkt.ip_payload_len;
    if (payload_off > l3_end) return clamp32(captured);
    return clamp32(std::max(l3_end - payload_off, captured));
}

void update_flow(Flow& f, Dir dir, const decode::PacketView& pkt, bool has_l4) noexcept {
    const TimestampNs now = pkt.ts_ns;
    if (now > f.last_ns) f.last_ns = now;
    // Non-first fragments are pieces of one datagram, not separate arrivals: no jitter.
    if (has_l4) update_jitter(f, dir, now);
    if (f.pkts[dir] != UINT32_MAX) ++f.pkts[dir];
    f.bytes[dir] += pkt.wirelen;
    const uint32_t plen = has_l4 ? l4_wire_payload_len(pkt)
                                 : (pkt.ip_payload_len != 0 ? pkt.ip_payload_len
                                                            : static_cast<uint32_t>(pkt.payload.size));
    f.payload_bytes[dir] = sat_add(f.payload_bytes[dir], plen);
    if (has_l4 && f.key.proto == decode::kIpProtoTcp) {
        f.tcp_flags[dir] |= pkt.tcp_flags;
        track_sequence(f, dir, pkt, plen);
        track_tcp_state(f, dir, pkt);
    }
}

void reset_flow_counters(Flow& f) noexcept {
    for (unsigned d = 0; d < 2; ++d) {
        f.bytes[d] = 0;
        f.pkts[d] = 0;
        f.payload_bytes[d] = 0;
        f.retransmits[d] = 0;
        f.out_of_order[d] = 0;
        f.tcp_flags[d] = 0;
        f.detect_bytes[d] = 0;
        f.detect_pkts[d] = 0;
    }
    f.reported_bytes = 0;
    f.reported_pkts = 0;
}

}  // namespace nms::flow
