#include "pipeline/dispatcher.hpp"

#include <sched.h>
#include <time.h>

#include <algorithm>
#include <cstring>

#include "decode/decode.hpp"

namespace nms::pipeline {

Dispatcher::Dispatcher(std::vector<PacketChannel*> channels, decode::LinkType link, uint32_t max_frame,
                       bool wait_when_full, const std::atomic<bool>* stop)
    : channels_(std::move(channels)),
      pending_(std::make_unique<Pending[]>(channels_.size())),
      link_(link),
      max_frame_(std::max<uint32_t>(max_frame, 64)),
      wait_when_full_(wait_when_full),
      stop_(stop) {
    counters_.ring_full_drops = std::make_unique<RelaxedCounter[]>(channels_.size());
}

uint32_t Dispatcher::pick_worker(const capture::RawFrame& frame) noexcept {
    const auto n = static_cast<uint32_t>(channels_.size());
    if (n == 1) return 0;
    decode::PacketView& v = view_;  // reused: decode_packet resets it, no per-frame construction
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

int64_t Dispatcher::reserve(uint32_t w, uint32_t len) noexcept {
    Pending& p = pending_[w];
    if (p.n == kMaxBatch) flush(w);
    int64_t off = channels_[w]->reserve(len, p.n);
    if (off >= 0 || !wait_when_full_) return off;
    // Replay: hand over what we have and wait for the worker to make room. Yield first (the
    // worker is usually a few microseconds from done), then nap so a replay with more
    // threads than CPUs does not steal the CPU the worker needs.
    flush(w);
    for (uint32_t spins = 0; (off = channels_[w]->reserve(len, 0)) < 0; ++spins) {
        if (stop_ && stop_->load(std::memory_order_relaxed)) return -1;
        if (spins < 64) {
            sched_yield();
        } else {
            timespec ts{0, 50'000};
            nanosleep(&ts, nullptr);
        }
    }
    return off;
}

void Dispatcher::on_frame(const capture::RawFrame& frame) noexcept {
    const uint32_t w = pick_worker(frame);
    counters_.frames.add();
    counters_.bytes.add(frame.wirelen);
    const bool restore_vlan = frame.vlan_valid && link_ == decode::LinkType::kEthernet && frame.caplen >= 12;
    const uint32_t full = frame.caplen + (restore_vlan ? 4u : 0u);
    const uint32_t len = std::min(full, max_frame_);
    const int64_t off = reserve(w, len);
    if (off < 0) {
        counters_.ring_full_drops[w].add();
        return;
    }
    Pending& p = pending_[w];
    uint8_t* dst = channels_[w]->bytes(static_cast<uint32_t>(off));
    uint32_t wirelen = frame.wirelen;
    if (restore_vlan) {
        // AF_PACKET moved the outer VLAN tag into metadata: put it back so the decoder
        // (and the VLAN in the flow key) sees the frame as it was on the wire.
        std::memcpy(dst, frame.data, 12);
        dst[12] = static_cast<uint8_t>(frame.vlan_tpid >> 8);
        dst[13] = static_cast<uint8_t>(frame.vlan_tpid);
        dst[14] = static_cast<uint8_t>(frame.vlan_tci >> 8);
        dst[15] = static_cast<uint8_t>(frame.vlan_tci);
        std::memcpy(dst + 16, frame.data + 12, len - 16);
        wirelen += 4;
    } else {
        std::memcpy(dst, frame.data, len);
    }
    if (len < full) counters_.truncated_to_slot.add();
    p.refs[p.n++] = PacketRef{frame.ts_ns, len, wirelen, static_cast<uint32_t>(off), 0};
}

void Dispatcher::flush(uint32_t w) noexcept {
    Pending& p = pending_[w];
    if (p.n == 0) return;
    channels_[w]->publish(p.refs, p.n);
    p.n = 0;
}

void Dispatcher::end_batch() noexcept {
    for (uint32_t w = 0; w < channels_.size(); ++w) flush(w);
}

}  // namespace nms::pipeline
