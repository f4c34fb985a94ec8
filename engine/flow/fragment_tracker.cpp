#include "flow/fragment_tracker.hpp"

#include <bit>

namespace nms::flow {

FragmentTracker::FragmentTracker(uint32_t entries, uint64_t linger_ns)
    : sets_(std::bit_ceil(entries < kWays ? 1u : (entries + kWays - 1) / kWays)),
      linger_ns_(linger_ns),
      table_(std::make_unique<Entry[]>(size_t{sets_} * kWays)) {}

size_t FragmentTracker::memory_bytes() const noexcept { return size_t{sets_} * kWays * sizeof(Entry); }

decode::FlowKey FragmentTracker::datagram_key(const decode::FlowKey& k, bool swapped, uint32_t frag_id) noexcept {
    decode::FlowKey d = k;
    d.addr_lo = swapped ? k.addr_hi : k.addr_lo;  // source
    d.addr_hi = swapped ? k.addr_lo : k.addr_hi;  // destination
    d.port_lo = static_cast<uint16_t>(frag_id);
    d.port_hi = static_cast<uint16_t>(frag_id >> 16);
    return d;
}

bool FragmentTracker::live(const Entry& e, TimestampNs now) const noexcept {
    if (e.ts_ns == 0) return false;
    return now < e.ts_ns || now - e.ts_ns <= linger_ns_;
}

bool FragmentTracker::record(const decode::PacketView& pkt) noexcept {
    const decode::FlowKey dk = datagram_key(pkt.key, pkt.swapped, pkt.ip_frag_id);
    Entry* set = &table_[(decode::flow_hash(dk) & (sets_ - 1)) * kWays];
    Entry* victim = nullptr;
    for (uint32_t w = 0; w < kWays; ++w) {
        Entry& e = set[w];
        if (e.ts_ns != 0 && e.frag_id == pkt.ip_frag_id &&
            datagram_key(e.match.key, e.match.swapped, e.frag_id) == dk) {
            victim = &e;  // same datagram again (duplicate first fragment): refresh in place
            break;
        }
        if (victim == nullptr || !live(e, pkt.ts_ns) || (live(*victim, pkt.ts_ns) && e.ts_ns < victim->ts_ns))
            victim = &e;
    }
    const bool overwrote = live(*victim, pkt.ts_ns) &&
                           !(victim->frag_id == pkt.ip_frag_id &&
                             datagram_key(victim->match.key, victim->match.swapped, victim->frag_id) == dk);
    victim->match.key = pkt.key;
    victim->match.swapped = pkt.swapped;
    victim->frag_id = pkt.ip_frag_id;
    victim->ts_ns = pkt.ts_ns != 0 ? pkt.ts_ns : 1;
    return overwrote;
}

const FragmentTracker::Match* FragmentTracker::find(const decode::PacketView& pkt) const noexcept {
    const decode::FlowKey dk = datagram_key(pkt.key, pkt.swapped, pkt.ip_frag_id);
    const Entry* set = &table_[(decode::flow_hash(dk) & (sets_ - 1)) * kWays];
    for (uint32_t w = 0; w < kWays; ++w) {
        const Entry& e = set[w];
        if (live(e, pkt.ts_ns) && e.frag_id == pkt.ip_frag_id &&
            datagram_key(e.match.key, e.match.swapped, e.frag_id) == dk)
            return &e.match;
    }
    return nullptr;
}

}  // namespace nms::flow
