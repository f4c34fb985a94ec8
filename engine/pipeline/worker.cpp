#include "pipeline/worker.hpp"

#include "common/cpu.hpp"
#include "common/time.hpp"
#include "decode/decode.hpp"

namespace nms::pipeline {
namespace {

constexpr size_t kMaxPerChannel = 1024;   // per round, so one busy capture cannot starve another
constexpr uint32_t kSpinRounds = 64;      // empty polls before sleeping (bursts are close together)
constexpr uint64_t kMaxSleepNs = 100 * kNsPerMs;  // idle wake-up for expiry and stats
constexpr uint8_t kHandshakeRecorded = 1;         // Flow::worker_bits: handshake RTT is in the histogram

}  // namespace

Worker::Worker(const WorkerOptions& opts, std::vector<PacketChannel*> inbound, Doorbell& doorbell,
               const WorkerControl& control)
    : opts_(opts),
      inbound_(std::move(inbound)),
      doorbell_(doorbell),
      control_(control),
      flows_(opts.flow_capacity, opts.timeouts, opts.id, opts.flow_id_stride),
      records_(opts.record_ring),
      app_events_(opts.event_ring),
      dpi_(dpi::builtin_registry(), opts.flow_capacity, opts.dpi, &app_events_, opts.offline) {
    if (opts.max_devices && opts.local_nets) {
        devices_ = std::make_unique<devices::DeviceShard>(opts.max_devices, *opts.local_nets);
        dpi_.set_device_sink(devices_.get());
    }
}

Worker::~Worker() { join(); }

void Worker::set_detectors(std::unique_ptr<detect::ShardDetectorSet> d) {
    detect_ = std::move(d);
    dpi_.set_security_sink(detect_.get());
}

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

void Worker::process_batch(PacketChannel& ch, const PacketRef* refs, size_t n) noexcept {
    // Three passes so memory latency overlaps instead of adding up: the frames (written by
    // the capture thread on another core), then the flow index buckets, then the flow
    // records are requested a whole batch ahead of their use.
    decode::PacketView* views = views_.get();
    uint64_t hashes[kBatch];
    const auto link = ch.link_type();
    for (size_t i = 0; i < n; ++i) __builtin_prefetch(ch.bytes(refs[i].offset));
    for (size_t i = 0; i < n; ++i) {
        const PacketRef& r = refs[i];
        decode::PacketView& v = views[i];
        decode::decode_packet(link, ch.bytes(r.offset), r.caplen, r.wirelen, r.ts_ns, v);
        traffic_.count(v);
        if (r.ts_ns > last_pkt_ts_) last_pkt_ts_ = r.ts_ns;
        if (v.status == decode::DecodeStatus::kNonIp) {
            if (devices_) devices_->on_l2(v);  // ARP, LLDP, CDP
            if (detect_) detect_packet(v, nullptr);
        }
        if (v.status == decode::DecodeStatus::kFlow) {
            hashes[i] = decode::flow_hash(v.key);
            flows_.prefetch_index(hashes[i]);
        }
    }
    for (size_t i = 0; i < n; ++i)
        if (views[i].status == decode::DecodeStatus::kFlow) flows_.prefetch_flow(hashes[i]);
    for (size_t i = 0; i < n; ++i) {
        if (views[i].status != decode::DecodeStatus::kFlow) continue;
        // A packet of a new second closes the detectors' current one first (charging the
        // flows with what they moved in it), so nothing of the new second leaks into it.
        if (detect_ && detect_->second_changed(views[i].ts_ns)) detect_->collect(flows_, views[i].ts_ns);
        flow::Flow* f = flows_.process(views[i], *this);
        if (devices_) devices_->on_packet(views[i], f);
        if (detect_) detect_->on_packet(views[i], f);
        if (f && f->has_rtt && !(f->worker_bits & kHandshakeRecorded)) {
            f->worker_bits |= kHandshakeRecorded;
            dpi_.latency().record(dpi::kLatencyTcpHandshake, f->server_ip(),
                                  uint64_t{f->rtt_client_us} + f->rtt_server_us);
        }
        // DPI sees payload, and the first packets of a new flow (an expected FTP data connection
        // is recognised from its SYN).
        if (f && f->dpi_state != dpi::kDpiDone && (!views[i].payload.empty() || f->dpi_state == dpi::kDpiNotStarted))
            dpi_.on_packet(views[i], *f, flows_.slot_of(*f));
    }
}

size_t Worker::drain(PacketChannel& ch) noexcept {
    PacketRef refs[kBatch];
    size_t total = 0;
    while (total < kMaxPerChannel) {
        const size_t n = ch.pop(refs, kBatch);
        if (n == 0) break;
        process_batch(ch, refs, n);
        ch.release(refs[n - 1]);  // only now may the capture thread reuse these bytes
        total += n;
    }
    return total;
}

bool Worker::has_work() const noexcept {
    for (const PacketChannel* ch : inbound_)
        if (!ch->empty()) return true;
    return control_.epoch.load(std::memory_order_relaxed) != seen_epoch_ ||
           control_.inputs_done.load(std::memory_order_relaxed) || control_.abort.load(std::memory_order_relaxed);
}

void Worker::detect_packet(const decode::PacketView& v, const flow::Flow* f) noexcept {
    if (detect_->second_changed(v.ts_ns)) detect_->collect(flows_, v.ts_ns);
    detect_->on_packet(v, f);
}

void Worker::on_flow_end(const flow::Flow& flow, flow::EndReason reason) {
    if (detect_) detect_->on_flow_end(flow);
    FlowRecord rec{flow, reason, static_cast<uint16_t>(opts_.id)};
    dpi_.on_flow_end(rec.flow, flows_.slot_of(flow));  // settles app_proto, frees DPI state
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
        for (PacketChannel* ch : inbound_) got += drain(*ch);
        const uint64_t t1 = got ? monotonic_ns() : t0;
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
        if (++idle_rounds < kSpinRounds) continue;
        doorbell_.sleep(kMaxSleepNs, [this] { return has_work(); });
    }
    // Final snapshot first, so the last interval's talkers and flows are still in the table.
    maybe_snapshot(true);
    flows_.flush(*this, flow::EndReason::kShutdown);
    finished_.store(true, std::memory_order_release);
}

}  // namespace nms::pipeline
