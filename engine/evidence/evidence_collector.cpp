#include "evidence/evidence_collector.hpp"

#include <sched.h>

#include <algorithm>

#include "decode/decode.hpp"

namespace nms::evidence {
namespace {

constexpr size_t kInitialPartBytes = 256 * 1024;
constexpr int kFinishRetries = 20000;  // ~ a few seconds of yields for a full outbox at exit

}  // namespace

EvidenceCollector::EvidenceCollector(size_t ring_bytes, uint32_t snaplen, size_t max_part_bytes)
    : ring_(ring_bytes, snaplen), max_part_bytes_(max_part_bytes) {
    active_.reserve(kMaxActive);
}

bool EvidenceCollector::matches(const IpAddr& host) const noexcept {
    if (view_.l3 == decode::L3::kIpv4 || view_.l3 == decode::L3::kIpv6)
        return view_.src_ip == host || view_.dst_ip == host;
    if (view_.l3 == decode::L3::kArp) return view_.arp.sender_ip == host || view_.arp.target_ip == host;
    return false;
}

void EvidenceCollector::append(EvidencePart& part, const PacketRecord& r) noexcept {
    if (part.truncated) return;
    const size_t need = PacketRing::kHeader + r.caplen;
    if (part.records.size() + need > max_part_bytes_) {
        part.truncated = true;
        return;
    }
    try {
        const size_t at = part.records.size();
        part.records.resize(at + need);
        uint8_t* p = part.records.data() + at;
        const auto cap16 = static_cast<uint16_t>(r.caplen);
        const auto link = static_cast<uint16_t>(r.link);
        std::memcpy(p, &r.ts, 8);
        std::memcpy(p + 8, &r.wirelen, 4);
        std::memcpy(p + 12, &cap16, 2);
        std::memcpy(p + 14, &link, 2);
        std::memcpy(p + PacketRing::kHeader, r.data, r.caplen);
        ++part.packets;
    } catch (...) {
        part.truncated = true;  // out of memory: keep what we have
    }
}

void EvidenceCollector::scan(uint64_t from, size_t first) noexcept {
    ring_.for_each_from(from, [&](const PacketRecord& r) {
        bool decoded = false;
        for (size_t i = first; i < active_.size(); ++i) {
            const EvidenceRequest& req = active_[i].part->request;
            if (r.ts < req.since || r.ts > req.until) continue;
            if (!decoded) {  // decode once per record, however many captures look at it
                decode::decode_packet(r.link, r.data, r.caplen, r.wirelen, r.ts, view_);
                decoded = true;
            }
            if (matches(req.host)) append(*active_[i].part, r);
        }
    });
}

bool EvidenceCollector::ship(std::unique_ptr<EvidencePart>& part) noexcept {
    if (!outbox_.push(part.get())) return false;
    part.release();
    parts_sent_.add();
    return true;
}

void EvidenceCollector::admit(const EvidenceRequest& req) noexcept {
    try {
        auto part = std::make_unique<EvidencePart>();
        part->request = req;
        if (active_.size() >= kMaxActive) {
            part->refused = true;
            if (!ship(part)) unsent_.push_back(std::move(part));
            return;
        }
        part->records.reserve(std::min(max_part_bytes_, kInitialPartBytes));
        active_.push_back(Active{std::move(part)});
        scan(ring_.tail(), active_.size() - 1);  // the "before" part: what the ring still holds
    } catch (...) {
        // Out of memory: no part from this worker; the writer gives up waiting at shutdown.
    }
}

void EvidenceCollector::poll(TimestampNs now) noexcept {
    if (active_.empty() && unsent_.empty() && inbox_.empty()) {
        scanned_ = ring_.head();
        return;
    }
    if (!active_.empty()) {
        if (scanned_ < ring_.tail())
            for (auto& a : active_) a.part->gap = true;  // records went by between two polls
        scan(scanned_, 0);
    }
    scanned_ = ring_.head();
    EvidenceRequest req;
    while (inbox_.pop(req)) admit(req);
    for (size_t i = 0; i < active_.size();) {
        if (now > active_[i].part->request.until) {
            if (!ship(active_[i].part)) unsent_.push_back(std::move(active_[i].part));
            active_.erase(active_.begin() + static_cast<std::ptrdiff_t>(i));
        } else {
            ++i;
        }
    }
    while (!unsent_.empty() && ship(unsent_.front())) unsent_.erase(unsent_.begin());
}

void EvidenceCollector::finish() noexcept {
    if (!active_.empty()) scan(scanned_, 0);
    scanned_ = ring_.head();
    EvidenceRequest req;
    while (inbox_.pop(req)) admit(req);
    for (auto& a : active_) unsent_.push_back(std::move(a.part));
    active_.clear();
    for (int tries = 0; !unsent_.empty() && tries < kFinishRetries; ++tries) {
        if (ship(unsent_.front())) unsent_.erase(unsent_.begin());
        else sched_yield();  // the writer drains until every worker has finished
    }
    unsent_.clear();
}

}  // namespace nms::evidence
