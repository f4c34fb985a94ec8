#include "pipeline/worker.hpp"

#include <time.h>

#include "common/cpu.hpp"
#include "common/time.hpp"
#include "decode/decode.hpp"

namespace nms::pipeline {
namespace {

// Idle back-off: spin briefly (a burst is usually right behind), then sleep in short
// naps so an idle worker costs almost no CPU while a ring still absorbs ~ms of traffic.
void idle_pause(uint32_t idle_rounds) noexcept {
    if (idle_rounds < 64) return;
    timespec ts{0, idle_rounds < 256 ? 20'000 : 200'000};
    nanosleep(&ts, nullptr);
}

}  // namespace

Worker::Worker(const WorkerOptions& opts, std::vector<PacketChannel*> inbound, const WorkerControl& control)
    : opts_(opts),
      inbound_(std::move(inbound)),
      control_(control),
      flows_(opts.flow_capacity, opts.timeouts, opts.id, opts.flow_id_stride),
      records_(opts.record_ring) {}

Worker::~Worker() { join(); }

void Worker::start() {
    thread_ = std::thread([this] { run(); });
}

void Worker::join() {
    if (thread_.joinable()) thread_.join();
}

void Worker::set_pending_timeouts(const flow::FlowTimeouts& t) {
    std::lock_guard lock(pending_mutex_);
    pending_timeouts_ = t;
    pending_timeouts_set_ = true;
    config_dirty_.store(true, std::memory_order_release);
}

void Worker::apply_pending_config() {
    if (!config_dirty_.exchange(false, std::memory_order_acquire)) return;
    std::lock_guard lock(pending_mutex_);
    if (!pending_timeouts_set_) return;
    flows_.set_timeouts(pending_timeouts_);
    pending_timeouts_set_ = false;
}

TimestampNs Worker::clock_now(uint64_t mono) const noexcept {
    // Packet time drives expiry. Live, when traffic pauses, let it advance with the
    // monotonic clock so idle flows still time out; a replay uses packet time only.
    if (opts_.offline || last_pkt_ts_ == 0) return last_pkt_ts_;
    return last_pkt_ts_ + (mono - mono_at_last_pkt_);
}

void Worker::handle(const PacketRef& ref, const uint8_t* bytes, decode::LinkType link) noexcept {
    decode::PacketView v;
    decode::decode_packet(link, bytes, ref.caplen, ref.wirelen, ref.ts_ns, v);
    traffic_.count(v);
    if (ref.ts_ns > last_pkt_ts_) last_pkt_ts_ = ref.ts_ns;
    if (v.status == decode::DecodeStatus::kFlow) flows_.process(v, *this);
}

void Worker::on_flow_end(const flow::Flow& flow, flow::EndReason reason) {
    const FlowRecord rec{flow, reason, static_cast<uint16_t>(opts_.id)};
    while (!records_.push(rec)) {
        if (!opts_.offline || control_.abort.load(std::memory_order_relaxed)) {
            ++traffic_.records_dropped;
            return;
        }
        sched_yield();  // replay: the output thread is draining; never lose a record
    }
}

void Worker::run() noexcept {
    if (opts_.cpu >= 0) pin_current_thread(opts_.cpu);
    name_current_thread("nms-worker-" + std::to_string(opts_.id));
    started_mono_ = monotonic_ns();
    uint32_t idle_rounds = 0;
    for (;;) {
        if (control_.abort.load(std::memory_order_relaxed)) break;
        const bool inputs_done = control_.inputs_done.load(std::memory_order_acquire);
        const uint64_t t0 = monotonic_ns();
        size_t got = 0;
        for (PacketChannel* ch : inbound_) {
            const auto link = ch->link_type();
            got += ch->consume([&](const PacketRef& r, const uint8_t* b) { handle(r, b, link); });
        }
        const uint64_t t1 = monotonic_ns();
        if (got) {
            busy_ns_ += t1 - t0;
            mono_at_last_pkt_ = t1;
            idle_rounds = 0;
        }
        const TimestampNs now = clock_now(t1);
        if (now >= last_expire_ts_ + kNsPerSec / 10) {  // expiry granularity: 100 ms of packet time
            flows_.expire(now, *this);
            last_expire_ts_ = now;
        }
        maybe_snapshot(false);
        apply_pending_config();
        if (got) continue;
        // inputs_done was read before draining, so an empty pass after it means all is in.
        if (inputs_done) break;
        idle_pause(++idle_rounds);
    }
    // Final snapshot first, so the last interval's talkers and flows are still in the table.
    maybe_snapshot(true);
    flows_.flush(*this, flow::EndReason::kShutdown);
    finished_.store(true, std::memory_order_release);
}

}  // namespace nms::pipeline
