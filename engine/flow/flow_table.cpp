#include "flow/flow_table.hpp"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <new>

#include "flow/flow_update.hpp"

namespace nms::flow {
namespace {

constexpr uint32_t kMaxCapacity = 1u << 30;         // index <= 2^31 slots: home fits the 32-bit hash
constexpr uint64_t kMaxFlowId = (uint64_t{1} << 53) - 1;  // exact in a JSON double
constexpr uint32_t kFragmentEntries = 1024;
constexpr uint64_t kFragmentLingerNs = 30 * kNsPerSec;

void* zeroed_or_throw(size_t bytes) {
    void* p = std::calloc(bytes, 1);  // large blocks come from fresh zero pages: no up-front touching
    if (p == nullptr) throw std::bad_alloc();
    return p;
}

}  // namespace

FlowTable::FlowTable(uint32_t capacity, const FlowTimeouts& timeouts, uint64_t flow_id_base,
                     uint32_t flow_id_stride)
    : capacity_(std::clamp(capacity, 1u, kMaxCapacity)),
      flow_id_base_(flow_id_base & kMaxFlowId),
      flow_id_stride_(flow_id_stride == 0 ? 1 : flow_id_stride),
      fragments_(kFragmentEntries, kFragmentLingerNs) {
    // Load factor <= 2/3 keeps linear probes short (~2 expected on a miss at 2/3, less below).
    const uint64_t want = std::max<uint64_t>(uint64_t{capacity_} + capacity_ / 2, 8);
    const uint64_t slots = std::bit_ceil(want);
    index_mask_ = slots - 1;
    index_mem_ = zeroed_or_throw(slots * sizeof(IndexEntry));
    index_ = static_cast<IndexEntry*>(index_mem_);
    try {
        slab_mem_ = zeroed_or_throw(size_t{capacity_} * sizeof(Flow) + 64);
    } catch (...) {
        std::free(index_mem_);
        throw;
    }
    // Cache-line align the slab (the first slots' hot lines then start on a line).
    const auto raw = reinterpret_cast<uintptr_t>(slab_mem_);
    slab_ = reinterpret_cast<Flow*>((raw + 63) & ~uintptr_t{63});
    std::fill(std::begin(head_), std::end(head_), kNil);
    std::fill(std::begin(tail_), std::end(tail_), kNil);
    set_timeouts(timeouts);
}

FlowTable::~FlowTable() {
    std::free(slab_mem_);
    std::free(index_mem_);
}

void FlowTable::set_timeouts(const FlowTimeouts& t) noexcept {
    timeouts_ = t;
    timeout_ns_[kTcpNew] = uint64_t{t.tcp_new_s} * kNsPerSec;
    timeout_ns_[kTcpEstablished] = uint64_t{t.tcp_established_s} * kNsPerSec;
    timeout_ns_[kTcpClosed] = uint64_t{t.tcp_closed_s} * kNsPerSec;
    timeout_ns_[kUdp] = uint64_t{t.udp_s} * kNsPerSec;
    timeout_ns_[kIcmp] = uint64_t{t.icmp_s} * kNsPerSec;
    timeout_ns_[kOther] = uint64_t{t.other_s} * kNsPerSec;
    active_ns_ = uint64_t{t.active_s} * kNsPerSec;
}

size_t FlowTable::memory_bytes() const noexcept {
    return sizeof(*this) + size_t{capacity_} * sizeof(Flow) + 64 + (index_mask_ + 1) * sizeof(IndexEntry) +
           fragments_.memory_bytes();
}

FlowTable::TimeoutClass FlowTable::class_of(const Flow& f) noexcept {
    switch (f.key.proto) {
        case decode::kIpProtoTcp:
            switch (f.tcp_state) {
                case TcpState::kNone:
                case TcpState::kSynSent:
                case TcpState::kSynRecv:
                    return kTcpNew;
                case TcpState::kEstablished:
                case TcpState::kFinWait:
                    return kTcpEstablished;
                case TcpState::kClosing:
                case TcpState::kClosed:
                case TcpState::kReset:
                    return kTcpClosed;
            }
            return kTcpNew;
        case decode::kIpProtoUdp:
            return kUdp;
        case decode::kIpProtoIcmp:
        case decode::kIpProtoIcmpv6:
            return kIcmp;
        default:
            return kOther;
    }
}

// ---- index: linear probing, backward-shift deletion (no tombstones) ----

uint32_t FlowTable::find_slot(const decode::FlowKey& key, uint64_t h) const noexcept {
    const auto tag = static_cast<uint32_t>(h);
    for (uint64_t pos = h & index_mask_;; pos = (pos + 1) & index_mask_) {
        const IndexEntry e = index_[pos];
        if (e.slot_plus1 == 0) return kNil;
        if (e.hash32 == tag && slab_[e.slot_plus1 - 1].key == key) return e.slot_plus1 - 1;
    }
}

void FlowTable::index_insert(uint64_t h, uint32_t slot) noexcept {
    uint64_t pos = h & index_mask_;
    while (index_[pos].slot_plus1 != 0) pos = (pos + 1) & index_mask_;
    index_[pos] = IndexEntry{slot + 1, static_cast<uint32_t>(h)};
}

void FlowTable::index_remove(const decode::FlowKey& key, uint32_t slot) noexcept {
    uint64_t hole = decode::flow_hash(key) & index_mask_;
    while (index_[hole].slot_plus1 != slot + 1) hole = (hole + 1) & index_mask_;
    // Pull later entries of the run back into the hole when their home allows it, so every
    // entry stays reachable from its home without tombstones.
    for (uint64_t j = (hole + 1) & index_mask_; index_[j].slot_plus1 != 0; j = (j + 1) & index_mask_) {
        const uint64_t home = index_[j].hash32 & index_mask_;
        if (((j - home) & index_mask_) >= ((j - hole) & index_mask_)) {
            index_[hole] = index_[j];
            hole = j;
        }
    }
    index_[hole] = IndexEntry{0, 0};
}

// ---- LRU lists ----

void FlowTable::list_push_head(TimeoutClass c, uint32_t slot) noexcept {
    Flow& f = slab_[slot];
    f.lru_prev = kNil;
    f.lru_next = head_[c];
    if (head_[c] != kNil) slab_[head_[c]].lru_prev = slot;
    else tail_[c] = slot;
    head_[c] = slot;
}

void FlowTable::list_unlink(TimeoutClass c, uint32_t slot) noexcept {
    const Flow& f = slab_[slot];
    if (f.lru_prev != kNil) slab_[f.lru_prev].lru_next = f.lru_next;
    else head_[c] = f.lru_next;
    if (f.lru_next != kNil) slab_[f.lru_next].lru_prev = f.lru_prev;
    else tail_[c] = f.lru_prev;
}

// ---- lifecycle ----

bool FlowTable::idle_expired(const Flow& f, TimeoutClass c, TimestampNs now) const noexcept {
    return now > f.last_ns && now - f.last_ns > timeout_ns_[c];
}

void FlowTable::count_end(EndReason reason) noexcept {
    switch (reason) {
        case EndReason::kTimeout: ++counters_.ended_timeout; break;
        case EndReason::kActiveTimeout: ++counters_.active_timeouts; break;
        case EndReason::kTcpClosed: ++counters_.ended_closed; break;
        case EndReason::kEvicted: ++counters_.evicted; break;
        case EndReason::kShutdown: ++counters_.ended_shutdown; break;
    }
}

void FlowTable::end_flow(uint32_t slot, EndReason reason, FlowEndSink& sink) noexcept {
    Flow& f = slab_[slot];
    sink.on_flow_end(f, reason);
    count_end(reason);
    list_unlink(class_of(f), slot);
    index_remove(f.key, slot);
    f.lru_next = free_head_;
    free_head_ = slot;
    --size_;
}

uint32_t FlowTable::allocate_slot(TimestampNs now, FlowEndSink& sink) noexcept {
    if (free_head_ == kNil) {
        if (high_water_ < capacity_) return high_water_++;
        // Full. A class tail already past its timeout goes first, with its real reason;
        // otherwise the least recently active flow of all classes is evicted.
        uint32_t victim = kNil;
        EndReason reason = EndReason::kEvicted;
        uint32_t oldest = kNil;
        for (uint32_t c = 0; c < kClassCount && victim == kNil; ++c) {
            const uint32_t t = tail_[c];
            if (t == kNil) continue;
            if (idle_expired(slab_[t], static_cast<TimeoutClass>(c), now)) {
                victim = t;
                reason = idle_reason(static_cast<TimeoutClass>(c));
            } else if (oldest == kNil || slab_[t].last_ns < slab_[oldest].last_ns) {
                oldest = t;
            }
        }
        end_flow(victim != kNil ? victim : oldest, reason, sink);
    }
    const uint32_t slot = free_head_;
    free_head_ = slab_[slot].lru_next;
    return slot;
}

uint64_t FlowTable::next_flow_id() noexcept {
    for (;;) {
        const uint64_t n = flow_id_seq_++;
        if (n > (kMaxFlowId - flow_id_base_) / flow_id_stride_) {  // would pass 2^53: wrap
            flow_id_seq_ = 0;
            continue;
        }
        const uint64_t id = flow_id_base_ + n * flow_id_stride_;
        if (id != 0) return id;  // 0 means "no flow" to EVE readers
    }
}

void FlowTable::init_flow(Flow& f, const decode::FlowKey& key, bool swapped, const decode::PacketView& pkt,
                          bool has_l4) noexcept {
    f.key = key;
    f.flow_id = next_flow_id();
    f.first_ns = pkt.ts_ns;
    f.last_ns = pkt.ts_ns;
    const uint16_t src_port = swapped ? key.port_hi : key.port_lo;
    const uint16_t dst_port = swapped ? key.port_lo : key.port_hi;
    const bool src_is_client = first_sender_is_client(pkt, key.proto, src_port, dst_port, has_l4);
    f.client_is_lo = src_is_client == !swapped;
}

void FlowTable::restart(Flow& f, TimestampNs now) noexcept {
    reset_flow_counters(f);
    f.flow_id = next_flow_id();
    f.first_ns = now;
}

Flow* FlowTable::track(const decode::FlowKey& key, bool swapped, const decode::PacketView& pkt, bool has_l4,
                       FlowEndSink& sink) noexcept {
    const TimestampNs now = pkt.ts_ns;
    const uint64_t h = decode::flow_hash(key);
    uint32_t slot = find_slot(key, h);
    if (slot != kNil) {
        Flow& f = slab_[slot];
        const TimeoutClass c = class_of(f);
        if (idle_expired(f, c, now)) {
            end_flow(slot, idle_reason(c), sink);  // expire() had not run yet: same outcome
            slot = kNil;
        } else if (has_l4 && c == kTcpClosed &&
                   (pkt.tcp_flags & (decode::kTcpSyn | decode::kTcpAck | decode::kTcpRst)) == decode::kTcpSyn) {
            ++counters_.tcp_port_reuse;  // a new connection on the tuple of a closed one
            end_flow(slot, EndReason::kTcpClosed, sink);
            slot = kNil;
        } else if (active_ns_ != 0 && now > f.first_ns && now - f.first_ns >= active_ns_) {
            sink.on_flow_end(f, EndReason::kActiveTimeout);
            count_end(EndReason::kActiveTimeout);
            restart(f, now);
            ++counters_.created;
        }
    }
    if (slot == kNil) {
        slot = allocate_slot(now, sink);
        Flow* f = new (&slab_[slot]) Flow{};
        init_flow(*f, key, swapped, pkt, has_l4);
        index_insert(h, slot);
        list_push_head(class_of(*f), slot);
        ++size_;
        ++counters_.created;
    }
    Flow& f = slab_[slot];
    const TimeoutClass before = class_of(f);
    const Dir dir = f.dir_of(swapped);
    update_flow(f, dir, pkt, has_l4);
    const TimeoutClass after = class_of(f);
    if (head_[before] != slot || before != after) {
        list_unlink(before, slot);
        list_push_head(after, slot);
    }
    last_dir_ = dir;
    return &f;
}

Flow* FlowTable::process(const decode::PacketView& pkt, FlowEndSink& sink) noexcept {
    if (pkt.status != decode::DecodeStatus::kFlow) return nullptr;
    if (pkt.is_fragment && !pkt.first_fragment) {
        if (const FragmentTracker::Match* m = fragments_.find(pkt)) {
            ++counters_.fragments_matched;
            return track(m->key, m->swapped, pkt, false, sink);
        }
        ++counters_.fragments_unmatched;
        return track(pkt.key, pkt.swapped, pkt, false, sink);
    }
    if (pkt.is_fragment) {
        ++counters_.fragments_first;
        if (fragments_.record(pkt)) ++counters_.fragment_overwrites;
    }
    return track(pkt.key, pkt.swapped, pkt, true, sink);
}

void FlowTable::expire(TimestampNs now, FlowEndSink& sink) noexcept {
    for (uint32_t c = 0; c < kClassCount; ++c) {
        const auto tc = static_cast<TimeoutClass>(c);
        while (tail_[c] != kNil && idle_expired(slab_[tail_[c]], tc, now)) end_flow(tail_[c], idle_reason(tc), sink);
    }
}

void FlowTable::flush(FlowEndSink& sink, EndReason reason) noexcept {
    for (uint32_t c = 0; c < kClassCount; ++c)
        while (tail_[c] != kNil) end_flow(tail_[c], reason, sink);
}

const Flow* FlowTable::find(const decode::FlowKey& key) const noexcept {
    const uint32_t slot = find_slot(key, decode::flow_hash(key));
    return slot == kNil ? nullptr : &slab_[slot];
}

}  // namespace nms::flow
