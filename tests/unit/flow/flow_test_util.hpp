#pragma once
// Hand-built PacketViews for flow tests: no decoder involved, just the fields the flow
// table reads (key, swapped, timestamps, lengths, TCP/ICMP header values).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "decode/packet_view.hpp"
#include "flow/flow.hpp"

namespace nms::flow::test {

inline constexpr TimestampNs kT0 = 1'700'000'000ull * kNsPerSec;  // fake clock origin

inline IpAddr ip(const char* text) { return *IpAddr::parse(text); }

struct Endpoint {
    IpAddr addr;
    uint16_t port = 0;
};

inline Endpoint ep(const char* text, uint16_t port) { return {ip(text), port}; }

// Builds the canonical key like the decoder does: the lower (address, port) endpoint first.
inline void set_key(decode::PacketView& p, const Endpoint& src, const Endpoint& dst, uint8_t proto) {
    p.status = decode::DecodeStatus::kFlow;
    p.l3 = src.addr.is_v4() ? decode::L3::kIpv4 : decode::L3::kIpv6;
    p.src_ip = src.addr;
    p.dst_ip = dst.addr;
    p.src_port = src.port;
    p.dst_port = dst.port;
    p.ip_proto = proto;
    const bool src_lo = std::make_pair(src.addr, src.port) <= std::make_pair(dst.addr, dst.port);
    const Endpoint& lo = src_lo ? src : dst;
    const Endpoint& hi = src_lo ? dst : src;
    p.key = decode::FlowKey{};
    p.key.addr_lo = lo.addr;
    p.key.addr_hi = hi.addr;
    p.key.port_lo = lo.port;
    p.key.port_hi = hi.port;
    p.key.proto = proto;
    p.swapped = !src_lo;
}

inline const uint8_t* zeros() {
    static const std::vector<uint8_t> buf(65536, 0);
    return buf.data();
}

inline decode::PacketView tcp(const Endpoint& src, const Endpoint& dst, uint8_t flags, TimestampNs ts,
                              uint32_t seq = 0, uint32_t ack = 0, uint32_t payload = 0) {
    decode::PacketView p;
    set_key(p, src, dst, decode::kIpProtoTcp);
    p.ts_ns = ts;
    p.tcp_flags = flags;
    p.tcp_seq = seq;
    p.tcp_ack = ack;
    p.payload = ByteView(zeros(), payload);
    p.wirelen = 14 + 20 + 20 + payload;
    p.caplen = p.wirelen;
    return p;
}

inline decode::PacketView udp(const Endpoint& src, const Endpoint& dst, TimestampNs ts, uint32_t payload = 32) {
    decode::PacketView p;
    set_key(p, src, dst, decode::kIpProtoUdp);
    p.ts_ns = ts;
    p.payload = ByteView(zeros(), payload);
    p.wirelen = 14 + 20 + 8 + payload;
    p.caplen = p.wirelen;
    return p;
}

// ICMP echo: the identifier stands in the key's ports on both sides, as for the decoder.
inline decode::PacketView icmp(const IpAddr& src, const IpAddr& dst, uint8_t type, uint16_t id, TimestampNs ts) {
    decode::PacketView p;
    set_key(p, {src, id}, {dst, id}, decode::kIpProtoIcmp);
    p.src_port = 0;
    p.dst_port = 0;
    p.icmp_type = type;
    p.icmp_id = id;
    p.ts_ns = ts;
    p.payload = ByteView(zeros(), 56);
    p.wirelen = 14 + 20 + 8 + 56;
    p.caplen = p.wirelen;
    return p;
}

// Records every flow end (a copy, since the reference dies with the call).
struct RecordingSink final : FlowEndSink {
    std::vector<std::pair<Flow, EndReason>> ended;
    void on_flow_end(const Flow& f, EndReason r) override { ended.emplace_back(f, r); }
};

// Sink that only counts: usable where allocation is being measured.
struct CountingSink final : FlowEndSink {
    uint64_t count = 0;
    uint64_t pkts = 0;
    void on_flow_end(const Flow& f, EndReason) override {
        ++count;
        pkts += f.total_pkts();
    }
};

}  // namespace nms::flow::test
