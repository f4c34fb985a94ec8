#pragma once
// FlowTable: one worker's shard of flows. Open addressing (linear probing, backward-shift
// deletion) over an index sized once from config, a slab of Flow records, and one intrusive
// LRU list per timeout class, each strictly ordered by last activity, so expiry walks each
// list from its old end and stops at the first live flow. Single-threaded by design: exactly
// one worker owns it. Nothing is allocated after construction.
#include <cstdint>
#include <memory>

#include "decode/packet_view.hpp"
#include "flow/flow.hpp"
#include "flow/flow_timeouts.hpp"
#include "flow/fragment_tracker.hpp"

namespace nms::flow {

struct FlowTableCounters {
    uint64_t created = 0;              // flow records started (incl. restarts after an active timeout)
    uint64_t ended_timeout = 0;        // idle timeout
    uint64_t ended_closed = 0;         // TCP FIN/RST linger over (EndReason::kTcpClosed)
    uint64_t evicted = 0;              // table full
    uint64_t active_timeouts = 0;      // long flows reported and restarted
    uint64_t ended_shutdown = 0;       // flush()
    uint64_t tcp_port_reuse = 0;       // new SYN on a closed flow: old one ended, new one started
    uint64_t fragments_first = 0;      // first fragments recorded in the fragment tracker
    uint64_t fragments_matched = 0;    // non-first fragments counted in their datagram's flow
    uint64_t fragments_unmatched = 0;  // non-first fragment with no first fragment seen
    uint64_t fragment_overwrites = 0;  // fragment tracker full: a live entry was overwritten

    void add(const FlowTableCounters& o) noexcept {
        created += o.created;
        ended_timeout += o.ended_timeout;
        ended_closed += o.ended_closed;
        evicted += o.evicted;
        active_timeouts += o.active_timeouts;
        ended_shutdown += o.ended_shutdown;
        tcp_port_reuse += o.tcp_port_reuse;
        fragments_first += o.fragments_first;
        fragments_matched += o.fragments_matched;
        fragments_unmatched += o.fragments_unmatched;
        fragment_overwrites += o.fragment_overwrites;
    }

    // created - ended() == FlowTable::size() at any time.
    [[nodiscard]] uint64_t ended() const noexcept {
        return ended_timeout + ended_closed + evicted + active_timeouts + ended_shutdown;
    }
};

class FlowTable {
 public:
    // Timeout classes, one LRU list each (flows move between lists as TCP state changes).
    enum TimeoutClass : uint8_t { kTcpNew, kTcpEstablished, kTcpClosed, kUdp, kIcmp, kOther, kClassCount };

    // flow ids are flow_id_base + n * flow_id_stride (n = 0, 1, ...), kept below 2^53 and
    // never 0, so workers given distinct bases modulo a common stride never collide.
    FlowTable(uint32_t capacity, const FlowTimeouts& timeouts, uint64_t flow_id_base, uint32_t flow_id_stride);
    ~FlowTable();
    FlowTable(const FlowTable&) = delete;
    FlowTable& operator=(const FlowTable&) = delete;

    // Finds or creates the flow of `pkt` (status kFlow; anything else returns nullptr),
    // applies its counters and TCP state, and returns it. A flow found idle past its
    // timeout at the packet's time is ended (kTimeout/kTcpClosed) and a new one started, so
    // results do not depend on how often expire() runs. When the table is full, a class
    // tail already expired is ended first, else the least recently active flow is ended
    // (EndReason::kEvicted) through `sink` to make room. Never allocates.
    Flow* process(const decode::PacketView& pkt, FlowEndSink& sink) noexcept;

    // Direction of the packet last given to process() within the flow it returned (for
    // non-first fragments this is the direction of their datagram, not of pkt.swapped).
    [[nodiscard]] Dir last_dir() const noexcept { return last_dir_; }

    // Ends flows idle past their class timeout as of `now` (packet time). Each class list
    // is walked from its old end and the walk stops at the first live flow, so the cost is
    // the number expired plus at most one look per class.
    void expire(TimestampNs now, FlowEndSink& sink) noexcept;

    // Ends every flow (end of file, shutdown).
    void flush(FlowEndSink& sink, EndReason reason) noexcept;

    void set_timeouts(const FlowTimeouts& t) noexcept;
    [[nodiscard]] const FlowTimeouts& timeouts() const noexcept { return timeouts_; }

    // Lookup without side effects (tests, API queries).
    [[nodiscard]] const Flow* find(const decode::FlowKey& key) const noexcept;

    // Stable slot of a live flow in [0, capacity()): lets other per-worker modules keep
    // parallel per-flow arrays without growing Flow.
    [[nodiscard]] uint32_t slot_of(const Flow& f) const noexcept { return static_cast<uint32_t>(&f - slab_); }

    [[nodiscard]] uint32_t size() const noexcept { return size_; }
    [[nodiscard]] uint32_t capacity() const noexcept { return capacity_; }
    [[nodiscard]] const FlowTableCounters& counters() const noexcept { return counters_; }
    // Bytes this table reserved up front (slab + index + fragment tracker), for the
    // bytes-per-flow figure. Pages are touched lazily (calloc), so RSS follows use.
    [[nodiscard]] size_t memory_bytes() const noexcept;
    [[nodiscard]] uint32_t index_slots() const noexcept { return static_cast<uint32_t>(index_mask_ + 1); }

    static TimeoutClass class_of(const Flow& f) noexcept;

    // Visits live flows from most to least recently active (a merge of the class lists);
    // stops when f returns false.
    template <class F>
    void for_each_recent(F&& f) const {
        uint32_t cur[kClassCount];
        for (uint32_t c = 0; c < kClassCount; ++c) cur[c] = head_[c];
        for (;;) {
            uint32_t best = kClassCount;
            for (uint32_t c = 0; c < kClassCount; ++c)
                if (cur[c] != kNil && (best == kClassCount || slab_[cur[c]].last_ns > slab_[cur[best]].last_ns))
                    best = c;
            if (best == kClassCount) return;
            const Flow& fl = slab_[cur[best]];
            cur[best] = fl.lru_next;
            if (!f(fl)) return;
        }
    }

    // Visits flows whose last packet is at or after `since` (snapshot deltas), newest first
    // within each class list; the cost is the number visited. f(Flow&) may write the
    // reporting fields (reported_bytes/pkts) but nothing that orders or identifies a flow.
    template <class F>
    void for_each_touched_since(TimestampNs since, F&& f) {
        for (uint32_t c = 0; c < kClassCount; ++c) {
            for (uint32_t i = head_[c]; i != kNil && slab_[i].last_ns >= since;) {
                const uint32_t next = slab_[i].lru_next;
                f(slab_[i]);
                i = next;
            }
        }
    }

    static constexpr uint32_t kNil = 0xffffffffu;

    // Batch prefetch for a worker that decodes a batch before processing it: warm the index
    // bucket of hash h (decode::flow_hash of the packet's key), then, once that has arrived,
    // the flow record it points to. Both are hints: a wrong or stale hash costs nothing.
    void prefetch_index(uint64_t h) const noexcept { __builtin_prefetch(&index_[h & index_mask_]); }
    void prefetch_flow(uint64_t h) const noexcept {
        const IndexEntry e = index_[h & index_mask_];
        if (e.slot_plus1 != 0 && e.hash32 == static_cast<uint32_t>(h)) __builtin_prefetch(&slab_[e.slot_plus1 - 1]);
    }

 private:
    // Index entry: slot + 1 (0 = empty, so calloc'd memory is an empty index) and the low
    // 32 bits of the flow hash, which give the home bucket (index size <= 2^31) and filter
    // most key compares.
    struct IndexEntry {
        uint32_t slot_plus1;
        uint32_t hash32;
    };

    uint32_t find_slot(const decode::FlowKey& key, uint64_t h) const noexcept;
    void index_insert(uint64_t h, uint32_t slot) noexcept;
    void index_remove(const decode::FlowKey& key, uint32_t slot) noexcept;

    void list_push_head(TimeoutClass c, uint32_t slot) noexcept;
    void list_unlink(TimeoutClass c, uint32_t slot) noexcept;

    uint32_t allocate_slot(TimestampNs now, FlowEndSink& sink) noexcept;
    void end_flow(uint32_t slot, EndReason reason, FlowEndSink& sink) noexcept;
    void count_end(EndReason reason) noexcept;
    [[nodiscard]] bool idle_expired(const Flow& f, TimeoutClass c, TimestampNs now) const noexcept;
    [[nodiscard]] static EndReason idle_reason(TimeoutClass c) noexcept {
        return c == kTcpClosed ? EndReason::kTcpClosed : EndReason::kTimeout;
    }
    uint64_t next_flow_id() noexcept;

    Flow* track(const decode::FlowKey& key, bool swapped, const decode::PacketView& pkt, bool has_l4,
                FlowEndSink& sink) noexcept;
    void init_flow(Flow& f, const decode::FlowKey& key, bool swapped, const decode::PacketView& pkt,
                   bool has_l4) noexcept;
    void restart(Flow& f, TimestampNs now) noexcept;
    void update(Flow& f, Dir dir, const decode::PacketView& pkt, bool has_l4) noexcept;

    uint32_t capacity_;
    uint32_t size_ = 0;
    uint32_t high_water_ = 0;      // slots [0, high_water_) have been handed out at least once
    uint32_t free_head_ = kNil;    // released slots, linked through lru_next
    uint64_t index_mask_ = 0;
    Flow* slab_ = nullptr;
    IndexEntry* index_ = nullptr;
    void* slab_mem_ = nullptr;     // calloc'd blocks (slab is re-aligned to 64 bytes inside)
    void* index_mem_ = nullptr;
    uint32_t head_[kClassCount];   // most recent per class
    uint32_t tail_[kClassCount];   // least recent per class
    FlowTimeouts timeouts_;
    uint64_t timeout_ns_[kClassCount]{};
    uint64_t active_ns_ = 0;       // 0 = never split
    uint64_t flow_id_base_;
    uint64_t flow_id_stride_;
    uint64_t flow_id_seq_ = 0;
    FlowTableCounters counters_;
    FragmentTracker fragments_;
    Dir last_dir_ = kToServer;
};

}  // namespace nms::flow
