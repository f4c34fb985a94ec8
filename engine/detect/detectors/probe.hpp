#pragma once
// Probes and answers, the raw material of the scan detectors: the first packet of a
// connection attempt (TCP SYN, first UDP datagram, ICMP echo/timestamp request) and the
// target's first acceptance of it (SYN+ACK, UDP reply, echo reply). A RST or an ICMP error
// is not an answer: that is what closed ports and absent hosts send.
#include <algorithm>
#include <array>
#include <cstdint>

#include "common/ip_addr.hpp"
#include "decode/packet_view.hpp"
#include "detect/hyperloglog.hpp"
#include "flow/flow.hpp"

namespace nms::detect {

enum class ProbeKind : uint8_t { kNone, kProbe, kAnswer };

struct Probe {
    ProbeKind kind = ProbeKind::kNone;
    const IpAddr* prober = nullptr;   // who probes (the answer's receiver)
    const IpAddr* target = nullptr;   // who is probed
    uint16_t port = 0;                // probed port (0 for ICMP)
    uint8_t proto = 0;
};

// Cheap: a few compares on fields already in cache; kNone for nearly every packet.
inline Probe classify_probe(const decode::PacketView& pkt, const flow::Flow* f) noexcept {
    Probe p;
    if (!f) return p;
    const flow::Dir dir = f->dir_of(pkt.swapped);
    const bool to_server = dir == flow::kToServer;
    // Only the first packet each way counts: retransmitted SYNs and later datagrams are not new probes.
    if (to_server ? f->pkts[flow::kToServer] != 1 : f->pkts[flow::kToClient] != 1) return p;
    switch (pkt.ip_proto) {
        case decode::kIpProtoTcp: {
            const uint8_t fl = pkt.tcp_flags & (decode::kTcpSyn | decode::kTcpAck | decode::kTcpRst);
            if (to_server && fl == decode::kTcpSyn) p.kind = ProbeKind::kProbe;
            else if (!to_server && fl == (decode::kTcpSyn | decode::kTcpAck)) p.kind = ProbeKind::kAnswer;
            break;
        }
        case decode::kIpProtoUdp:
            if (to_server && f->pkts[flow::kToClient] == 0) p.kind = ProbeKind::kProbe;
            else if (!to_server) p.kind = ProbeKind::kAnswer;
            break;
        case decode::kIpProtoIcmp:  // echo 8/0, timestamp 13/14
            if (to_server && (pkt.icmp_type == 8 || pkt.icmp_type == 13)) p.kind = ProbeKind::kProbe;
            else if (!to_server && (pkt.icmp_type == 0 || pkt.icmp_type == 14)) p.kind = ProbeKind::kAnswer;
            break;
        case decode::kIpProtoIcmpv6:  // echo 128/129
            if (to_server && pkt.icmp_type == 128) p.kind = ProbeKind::kProbe;
            else if (!to_server && pkt.icmp_type == 129) p.kind = ProbeKind::kAnswer;
            break;
        default:
            break;
    }
    if (p.kind == ProbeKind::kNone) return p;
    p.proto = pkt.ip_proto;
    if (p.kind == ProbeKind::kProbe) {
        p.prober = &pkt.src_ip;
        p.target = &pkt.dst_ip;
        p.port = pkt.dst_port;
    } else {
        p.prober = &pkt.dst_ip;
        p.target = &pkt.src_ip;
        p.port = pkt.src_port;
    }
    return p;
}

// Probes towards one key in one interval: distinct targets (or ports), probes, answers and
// a few sample values for the evidence. Mergeable (worker -> stats, slice -> window).
template <class Sample, size_t N>
struct ProbeTally {
    SmallHll distinct;
    uint32_t probes = 0;
    uint32_t answered = 0;
    std::array<Sample, N> samples{};
    uint8_t n_samples = 0;

    [[nodiscard]] uint64_t weight() const noexcept { return probes; }
    void add_sample(const Sample& s) noexcept {
        if (n_samples >= N) return;
        for (uint8_t i = 0; i < n_samples; ++i)
            if (samples[i] == s) return;
        samples[n_samples++] = s;
    }
    void merge(const ProbeTally& o) noexcept {
        distinct.merge(o.distinct);
        probes += o.probes;
        answered += o.answered;
        for (uint8_t i = 0; i < o.n_samples; ++i) add_sample(o.samples[i]);
    }
    [[nodiscard]] double answered_ratio() const noexcept {
        return probes ? static_cast<double>(answered) / probes : 0.0;
    }
};

}  // namespace nms::detect
