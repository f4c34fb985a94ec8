#pragma once
// FlowTable: one worker's shard of flows. Open addressing over a fixed array sized once
// from config, a slab of Flow records, and an intrusive LRU list that both expiry and
// eviction walk from the oldest end. Single-threaded by design: exactly one worker owns it.
#include <cstdint>
#include <memory>
#include <vector>

#include "decode/packet_view.hpp"
#include "flow/flow.hpp"
#include "flow/flow_timeouts.hpp"

namespace nms::flow {

struct FlowTableCounters {
    uint64_t created = 0;
    uint64_t ended_timeout = 0;
    uint64_t ended_closed = 0;
    uint64_t evicted = 0;           // table full
    uint64_t active_timeouts = 0;
    uint64_t fragments_unmatched = 0;  // non-first fragment with no first fragment seen
};

class FlowTable {
 public:
    FlowTable(uint32_t capacity, const FlowTimeouts& timeouts, uint64_t flow_id_base, uint32_t flow_id_stride);
    ~FlowTable();
    FlowTable(const FlowTable&) = delete;
    FlowTable& operator=(const FlowTable&) = delete;

    // Finds or creates the flow of `pkt` (status kFlow), applies its counters and TCP
    // state, and returns it. When the table is full the least recently active flow is
    // ended (EndReason::kEvicted) through `sink` to make room. Never allocates.
    Flow* process(const decode::PacketView& pkt, FlowEndSink& sink) noexcept;

    // Ends flows idle past their timeout as of `now` (packet time). Walks the LRU from
    // its old end and stops at the first live flow, so the cost is the number expired.
    void expire(TimestampNs now, FlowEndSink& sink) noexcept;

    // Ends every flow (end of file, shutdown).
    void flush(FlowEndSink& sink, EndReason reason) noexcept;

    void set_timeouts(const FlowTimeouts& t) noexcept { timeouts_ = t; }

    [[nodiscard]] uint32_t size() const noexcept { return size_; }
    [[nodiscard]] uint32_t capacity() const noexcept { return capacity_; }
    [[nodiscard]] const FlowTableCounters& counters() const noexcept { return counters_; }
    // Bytes this table reserved up front (slab + index), for the bytes-per-flow figure.
    [[nodiscard]] size_t memory_bytes() const noexcept;

    // Visits live flows from most to least recently active; stops when f returns false.
    template <class F>
    void for_each_recent(F&& f) const {
        for (uint32_t i = lru_head_; i != kNil; i = slab_[i].lru_next)
            if (!f(slab_[i])) break;
    }

    static constexpr uint32_t kNil = 0xffffffffu;

 private:
    struct Impl;
    // (private members are defined by the implementation; see flow_table.cpp)
    uint32_t capacity_;
    uint32_t size_ = 0;
    FlowTimeouts timeouts_;
    FlowTableCounters counters_;
    std::unique_ptr<Flow[]> slab_;
    uint32_t lru_head_ = kNil;   // most recent
    uint32_t lru_tail_ = kNil;   // least recent
};

}  // namespace nms::flow
