#pragma once
// TrafficCounters: what a worker counts per packet. Plain integers: only the owning worker
// writes them; the stats thread sees copies inside ShardSnapshots.
#include <array>
#include <cstdint>

#include "decode/decode_events.hpp"
#include "decode/packet_view.hpp"

namespace nms::pipeline {

// Protocol classes shown in stats; names are part of the stats/metrics contract.
enum class ProtoClass : uint8_t { kTcp, kUdp, kIcmp, kIcmpv6, kSctp, kOtherIp, kArp, kOtherL2, kInvalid, kCount };
inline constexpr std::size_t kProtoClassCount = static_cast<std::size_t>(ProtoClass::kCount);
inline constexpr std::array<const char*, kProtoClassCount> kProtoClassNames = {
    "tcp", "udp", "icmp", "icmpv6", "sctp", "other_ip", "arp", "other_l2", "invalid"};

inline ProtoClass classify(const decode::PacketView& v) noexcept {
    using decode::DecodeStatus;
    if (v.status == DecodeStatus::kInvalid) return ProtoClass::kInvalid;
    if (v.status == DecodeStatus::kNonIp) return v.l3 == decode::L3::kArp ? ProtoClass::kArp : ProtoClass::kOtherL2;
    switch (v.ip_proto) {
        case decode::kIpProtoTcp: return ProtoClass::kTcp;
        case decode::kIpProtoUdp: return ProtoClass::kUdp;
        case decode::kIpProtoIcmp: return ProtoClass::kIcmp;
        case decode::kIpProtoIcmpv6: return ProtoClass::kIcmpv6;
        case decode::kIpProtoSctp: return ProtoClass::kSctp;
        default: return ProtoClass::kOtherIp;
    }
}

struct TrafficCounters {
    uint64_t packets = 0;
    uint64_t bytes = 0;              // wire bytes
    uint64_t ipv4 = 0;
    uint64_t ipv6 = 0;
    uint64_t tunneled = 0;           // packets decapsulated from GRE/VXLAN/GENEVE/...
    uint64_t fragments = 0;
    std::array<uint64_t, kProtoClassCount> proto_packets{};
    std::array<uint64_t, kProtoClassCount> proto_bytes{};
    std::array<uint64_t, decode::kDecodeEventCount> decode_events{};
    uint64_t records_dropped = 0;    // ended flows lost because the output ring was full

    void count(const decode::PacketView& v) noexcept {
        ++packets;
        bytes += v.wirelen;
        const auto c = static_cast<std::size_t>(classify(v));
        ++proto_packets[c];
        proto_bytes[c] += v.wirelen;
        if (v.event != decode::DecodeEvent::kNone) ++decode_events[static_cast<std::size_t>(v.event)];
        ipv4 += v.l3 == decode::L3::kIpv4;
        ipv6 += v.l3 == decode::L3::kIpv6;
        tunneled += v.tunnel != decode::TunnelType::kNone;
        fragments += v.is_fragment;
    }

    void add(const TrafficCounters& o) noexcept {
        packets += o.packets;
        bytes += o.bytes;
        ipv4 += o.ipv4;
        ipv6 += o.ipv6;
        tunneled += o.tunneled;
        fragments += o.fragments;
        for (std::size_t i = 0; i < kProtoClassCount; ++i) {
            proto_packets[i] += o.proto_packets[i];
            proto_bytes[i] += o.proto_bytes[i];
        }
        for (std::size_t i = 0; i < decode::kDecodeEventCount; ++i) decode_events[i] += o.decode_events[i];
        records_dropped += o.records_dropped;
    }
};

}  // namespace nms::pipeline
