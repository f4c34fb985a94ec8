#pragma once
// EvidenceCollector: one per worker. The worker records every packet into the ring
// (record(), the only per-packet call) and calls poll() at its safe point between batches.
// poll() takes new requests from the stats thread (SPSC inbox), copies the matching packets
// of the last before_s out of the ring, keeps copying matching new packets until the packet
// clock passes the request's `until`, then hands the part to the writer thread (SPSC
// outbox). No locks, and no disk I/O on the worker.
#include <boost/lockfree/spsc_queue.hpp>

#include <memory>
#include <vector>

#include "common/counter.hpp"
#include "decode/packet_view.hpp"
#include "evidence/evidence_part.hpp"
#include "evidence/packet_ring.hpp"

namespace nms::evidence {

class EvidenceCollector {
 public:
    static constexpr size_t kMaxActive = 8;  // evidence captures one worker runs at once

    // `max_part_bytes`: cap of one worker's part of one PCAP.
    EvidenceCollector(size_t ring_bytes, uint32_t snaplen, size_t max_part_bytes);
    EvidenceCollector(const EvidenceCollector&) = delete;
    EvidenceCollector& operator=(const EvidenceCollector&) = delete;

    // --- worker thread ---
    void record(decode::LinkType link, const uint8_t* data, uint32_t caplen, uint32_t wirelen,
                TimestampNs ts) noexcept {
        ring_.append(link, data, caplen, wirelen, ts);
    }
    // `now`: the worker's packet clock.
    void poll(TimestampNs now) noexcept;
    // The worker is exiting: answers every request, active or still queued.
    void finish() noexcept;

    // --- stats thread ---
    // False when the inbox is full (the caller counts it; the writer is told no part comes).
    bool request(const EvidenceRequest& req) noexcept { return inbox_.push(req); }
    [[nodiscard]] bool has_room() const noexcept { return inbox_.write_available() > 0; }

    // --- writer thread ---
    std::unique_ptr<EvidencePart> take_part() noexcept {
        EvidencePart* p = nullptr;
        return outbox_.pop(p) ? std::unique_ptr<EvidencePart>(p) : nullptr;
    }

    [[nodiscard]] const PacketRing& ring() const noexcept { return ring_; }
    [[nodiscard]] uint64_t parts_sent() const noexcept { return parts_sent_.get(); }

 private:
    struct Active {
        std::unique_ptr<EvidencePart> part;
    };
    void admit(const EvidenceRequest& req) noexcept;
    // Copies matching records from `from` to head into the active parts in [first, end).
    void scan(uint64_t from, size_t first) noexcept;
    // On view_, the record just decoded.
    [[nodiscard]] bool matches(const IpAddr& host) const noexcept;
    void append(EvidencePart& part, const PacketRecord& r) noexcept;
    // Hands a part over; false when the outbox is full (try again at the next poll).
    bool ship(std::unique_ptr<EvidencePart>& part) noexcept;

    PacketRing ring_;
    const size_t max_part_bytes_;
    boost::lockfree::spsc_queue<EvidenceRequest> inbox_{64};
    boost::lockfree::spsc_queue<EvidencePart*> outbox_{64};
    std::vector<Active> active_;
    std::vector<std::unique_ptr<EvidencePart>> unsent_;  // outbox was full
    uint64_t scanned_ = 0;        // ring position up to which active parts have seen records
    decode::PacketView view_;     // scratch for matching
    RelaxedCounter parts_sent_;
};

}  // namespace nms::evidence
