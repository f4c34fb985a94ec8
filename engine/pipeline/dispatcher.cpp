#include "pipeline/dispatcher.hpp"

#include <sched.h>

#include <algorithm>
#include <cstring>

#include "decode/decode.hpp"

namespace nms::pipeline {

Dispatcher::Dispatcher(std::vector<PacketChannel*> channels, decode::LinkType link, bool wait_when_full,
                       const std::atomic<bool>* stop)
    : channels_(std::move(channels)),
      pending_(std::make_unique<Pending[]>(channels_.size())),
      link_(link),
      wait_when_full_(wait_when_full),
      stop_(stop) {
    counters_.ring_full_drops = std::make_unique<RelaxedCounter[]>(channels_.size());
}

uint32_t Dispatcher::pick_worker(const capture::RawFrame& frame) noexcept {
    const auto n = static_cast<uint32_t>(channels_.size());
    if (n == 1) return 0;
    decode::PacketView v;
    decode::decode_packet(link_, frame.data, frame.caplen, frame.wirelen, frame.ts_ns, v);
    uint64_t h = 0;
    if (v.status == decode::DecodeStatus::kFlow) {
        h = decode::shard_hash(v.key);
    } else if (v.has_eth) {
        // Non-IP frames (ARP, LLDP): keep one station's frames on one worker, either direction.
        uint64_t a = 0, b = 0;
        std::memcpy(&a, v.src_mac, 6);
        std::memcpy(&b, v.dst_mac, 6);
        h = (a ^ b) * 0x9e3779b97f4a7c15ULL;
    }
    return static_cast<uint32_t>((h >> 32) % n);
}

bool Dispatcher::reserve(uint32_t w) noexcept {
    Pending& p = pending_[w];
    if (p.n == kMaxBatch) flush(w);
    if (p.n < p.room) return true;
    p.room = channels_[w]->write_available();
    if (p.n < p.room) return true;
    if (!wait_when_full_) return false;
    // Replay: hand over what we have and wait for the worker to make room.
    flush(w);
    while ((p.room = channels_[w]->write_available()) == 0) {
        if (stop_ && stop_->load(std::memory_order_relaxed)) return false;
        sched_yield();
    }
    return true;
}

void Dispatcher::on_frame(const capture::RawFrame& frame) noexcept {
    const uint32_t w = pick_worker(frame);
    counters_.frames.add();
    counters_.bytes.add(frame.wirelen);
    if (!reserve(w)) {
        counters_.ring_full_drops[w].add();
        return;
    }
    PacketChannel& ch = *channels_[w];
    Pending& p = pending_[w];
    uint8_t* slot = ch.producer_slot(p.n);
    const uint32_t room = ch.slot_size();
    uint32_t len = 0;
    uint32_t wirelen = frame.wirelen;
    if (frame.vlan_valid && link_ == decode::LinkType::kEthernet && frame.caplen >= 12 && room >= 16) {
        // AF_PACKET moved the outer 802.1Q tag into metadata: put it back so the decoder
        // (and the VLAN in the flow key) sees the frame as it was on the wire.
        std::memcpy(slot, frame.data, 12);
        slot[12] = static_cast<uint8_t>(frame.vlan_tpid >> 8);
        slot[13] = static_cast<uint8_t>(frame.vlan_tpid);
        slot[14] = static_cast<uint8_t>(frame.vlan_tci >> 8);
        slot[15] = static_cast<uint8_t>(frame.vlan_tci);
        const uint32_t rest = std::min(frame.caplen - 12, room - 16);
        std::memcpy(slot + 16, frame.data + 12, rest);
        len = 16 + rest;
        wirelen += 4;
    } else {
        len = std::min(frame.caplen, room);
        std::memcpy(slot, frame.data, len);
    }
    if (len < frame.caplen) counters_.truncated_to_slot.add();
    p.refs[p.n++] = PacketRef{frame.ts_ns, len, wirelen};
}

void Dispatcher::flush(uint32_t w) noexcept {
    Pending& p = pending_[w];
    if (p.n == 0) return;
    channels_[w]->publish(p.refs, p.n);
    p.room -= p.n;
    p.n = 0;
}

void Dispatcher::end_batch() noexcept {
    for (uint32_t w = 0; w < channels_.size(); ++w) flush(w);
}

}  // namespace nms::pipeline
