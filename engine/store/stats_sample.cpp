#include "store/stats_sample.hpp"

#include <algorithm>

namespace nms::store {

StatsSample make_stats_sample(const stats::Snapshot& now, const stats::Snapshot* prev) noexcept {
    using pipeline::ProtoClass;
    const auto d = [](uint64_t a, uint64_t b) { return a - std::min(a, b); };
    const auto cls = [](const stats::Snapshot* s, ProtoClass c) {
        return s ? s->traffic.proto_bytes[static_cast<size_t>(c)] : 0;
    };
    const auto delta = [&](ProtoClass c) { return d(cls(&now, c), cls(prev, c)); };
    StatsSample s;
    s.ts = static_cast<int64_t>(now.wall_ns / kNsPerSec);
    s.packets = d(now.traffic.packets, prev ? prev->traffic.packets : 0);
    s.bytes = d(now.traffic.bytes, prev ? prev->traffic.bytes : 0);
    s.pps = now.pps;
    s.bps = now.bps;
    s.active_flows = now.active_flows;
    const auto drops = [](const stats::Snapshot* x) {
        return x ? x->kernel_drops + x->ring_full_drops + x->records_dropped : 0;
    };
    s.drops = d(drops(&now), drops(prev));
    s.tcp_bytes = delta(ProtoClass::kTcp);
    s.udp_bytes = delta(ProtoClass::kUdp);
    s.icmp_bytes = delta(ProtoClass::kIcmp) + delta(ProtoClass::kIcmpv6);
    s.other_bytes = s.bytes - std::min(s.bytes, s.tcp_bytes + s.udp_bytes + s.icmp_bytes);
    return s;
}

}  // namespace nms::store
