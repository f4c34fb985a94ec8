#include "detect/detectors/probe.hpp"

namespace nms::detect {

Probe classify_probe(const decode::PacketView& pkt, const flow::Flow* f) noexcept {
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

}  // namespace nms::detect
