#pragma once
// FragmentTracker: remembers which flow the first fragment of an IP datagram belonged to,
// so that the later fragments (no L4 header, ports 0) are counted in that flow. Small and
// bounded: a 4-way set-associative array sized once; a full set overwrites its oldest
// entry, and entries older than the linger are ignored. Never allocates after construction.
#include <cstdint>
#include <memory>

#include "common/time.hpp"
#include "decode/flow_key.hpp"
#include "decode/packet_view.hpp"

namespace nms::flow {

class FragmentTracker {
 public:
    static constexpr uint32_t kWays = 4;

    // `entries` is rounded up to a multiple of kWays sets (power of two number of sets).
    explicit FragmentTracker(uint32_t entries = 1024, uint64_t linger_ns = 30 * kNsPerSec);

    // The full flow key (ports included) of the datagram a first fragment starts, and
    // whether its source is the key's hi endpoint.
    struct Match {
        decode::FlowKey key;
        bool swapped = false;
    };

    // Records a first fragment (is_fragment && first_fragment). Returns true when a live
    // entry of another datagram had to be overwritten.
    bool record(const decode::PacketView& pkt) noexcept;

    // Looks up the datagram of a non-first fragment; nullptr when unknown or expired.
    [[nodiscard]] const Match* find(const decode::PacketView& pkt) const noexcept;

    [[nodiscard]] uint32_t entries() const noexcept { return sets_ * kWays; }
    [[nodiscard]] size_t memory_bytes() const noexcept;

 private:
    struct Entry {
        Match match;
        uint32_t frag_id = 0;
        TimestampNs ts_ns = 0;   // 0 = empty
    };

    // Datagram identity: (src, dst, proto, id) plus VLAN/tunnel, as a FlowKey so the
    // flow hash can be reused. src/dst come from the packet's key and `swapped`, which
    // is right whatever the canonical order of the fragment's own key is.
    static decode::FlowKey datagram_key(const decode::FlowKey& k, bool swapped, uint32_t frag_id) noexcept;
    [[nodiscard]] bool live(const Entry& e, TimestampNs now) const noexcept;

    uint32_t sets_;
    uint64_t linger_ns_;
    std::unique_ptr<Entry[]> table_;
};

}  // namespace nms::flow
