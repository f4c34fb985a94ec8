#include "dpi/dpi_engine.hpp"

#include <sched.h>

#include <algorithm>
#include <bit>

namespace nms::dpi {

struct DpiEngine::Context {
    uint64_t flow_id = 0;
    uint64_t candidates = 0;     // bit i = dissector id i+1 still possible
    uint32_t packets = 0;        // payload packets seen while classifying
    uint32_t bytes = 0;
    AppId app = kAppUnknown;
    AppId fallback_app = kAppUnknown;   // the fallback's verdict, used if none of ours claims the flow
    bool fallback_done = false;         // the fallback wants no more packets
    StreamBuffer stream[2];
    alignas(8) uint8_t state[kMaxStateBytes];
};

DpiEngine::DpiEngine(const Registry& registry, uint32_t flow_capacity, const DpiLimits& limits, AppEventRing* events,
                     bool wait_when_full)
    : registry_(registry),
      limits_(limits),
      events_(events),
      wait_when_full_(wait_when_full),
      ctx_of_slot_(flow_capacity, 0),
      contexts_(std::make_unique<Context[]>(limits.max_contexts)),
      stream_storage_(std::make_unique<uint8_t[]>(size_t{limits.max_contexts} * 2 * limits.stream_bytes)) {
    if (limits.fallback) fallback_ = make_ndpi_fallback(registry, limits.max_contexts, limits.fallback_flows);
    free_.reserve(limits.max_contexts);
    for (uint32_t i = limits.max_contexts; i-- > 0;) {
        free_.push_back(i);
        for (int d = 0; d < 2; ++d)
            contexts_[i].stream[d].attach(stream_storage_.get() + (size_t{i} * 2 + static_cast<size_t>(d)) *
                                                                    limits.stream_bytes,
                                          limits.stream_bytes);
    }
}

DpiEngine::~DpiEngine() = default;

size_t DpiEngine::memory_bytes() const noexcept {
    return ctx_of_slot_.size() * sizeof(uint32_t) + size_t{limits_.max_contexts} * sizeof(Context) +
           size_t{limits_.max_contexts} * 2 * limits_.stream_bytes + (fallback_ ? fallback_->memory_bytes() : 0);
}

uint32_t DpiEngine::index_of(const Context& c) const noexcept {
    return static_cast<uint32_t>(&c - contexts_.get());
}

DpiEngine::Context* DpiEngine::acquire(flow::Flow& flow, uint32_t slot) noexcept {
    if (slot >= ctx_of_slot_.size()) return nullptr;
    if (const uint32_t idx = ctx_of_slot_[slot]) {
        Context& c = contexts_[idx - 1];
        if (c.flow_id == flow.flow_id) return &c;
        release(slot);  // stale: the slot was reused without an end callback (restart)
    }
    if (free_.empty()) return nullptr;
    const uint32_t idx = free_.back();
    free_.pop_back();
    Context& c = contexts_[idx];
    c.flow_id = flow.flow_id;
    c.candidates = registry_.mask_for(flow.key.proto == decode::kIpProtoTcp);
    c.packets = 0;
    c.bytes = 0;
    c.app = kAppUnknown;
    c.fallback_app = kAppUnknown;
    c.fallback_done = false;
    c.stream[0].reset();
    c.stream[1].reset();
    std::memset(c.state, 0, sizeof c.state);
    ctx_of_slot_[slot] = idx + 1;
    return &c;
}

void DpiEngine::release(uint32_t slot) noexcept {
    if (slot >= ctx_of_slot_.size()) return;
    if (const uint32_t idx = ctx_of_slot_[slot]) {
        if (fallback_) fallback_->release(idx - 1);
        free_.push_back(idx - 1);
        ctx_of_slot_[slot] = 0;
    }
}

void DpiEngine::give_up(flow::Flow& flow, uint32_t slot) noexcept {
    // The long tail: what nDPI decided (or decides now) on the packets it saw.
    if (fallback_ && slot < ctx_of_slot_.size() && ctx_of_slot_[slot]) {
        Context& c = contexts_[ctx_of_slot_[slot] - 1];
        if (c.flow_id == flow.flow_id) {
            const AppId app = c.fallback_app ? c.fallback_app : fallback_->finish(ctx_of_slot_[slot] - 1);
            if (app != kAppUnknown) {
                flow.app_proto = app;
                flow.app_confidence = static_cast<uint8_t>(Confidence::kNdpi);
                flow.dpi_state = kDpiDone;
                ++counters_.fallback_detected;
                release(slot);
                return;
            }
        }
    }
    // Labelled fallback: a well-known server port, marked as such (confidence kPort).
    const AppId by_port = registry_.by_port(flow.server_port(), flow.key.proto == decode::kIpProtoTcp);
    const Dissector* d = registry_.get(by_port);
    if (d && d->info().port_fallback) {
        flow.app_proto = by_port;
        flow.app_confidence = static_cast<uint8_t>(Confidence::kPort);
        ++counters_.port_labelled;
    } else {
        ++counters_.unknown;
    }
    flow.dpi_state = kDpiDone;
    release(slot);
}

void DpiEngine::on_packet(const decode::PacketView& pkt, flow::Flow& flow, uint32_t slot) noexcept {
    if (flow.dpi_state == kDpiDone || limits_.max_contexts == 0) return;  // max_contexts 0 = DPI off
    // An announced connection (FTP data) is labelled from its first packet, payload or not.
    if (expected_live_ && flow.dpi_state == kDpiNotStarted && match_expectation(flow, pkt.ts_ns)) return;
    if (pkt.payload.empty()) return;
    if (pkt.is_fragment && !pkt.first_fragment) return;  // no transport bytes to read
    Context* c = acquire(flow, slot);
    if (!c) {
        ++counters_.no_context;
        give_up(flow, slot);
        return;
    }
    const flow::Dir dir = flow.dir_of(pkt.swapped);
    StreamBuffer& s = c->stream[dir];
    if (pkt.is_tcp()) {
        if (!s.add_tcp(pkt.tcp_seq, pkt.payload)) {
            if (s.overflowed()) ++counters_.stream_overflows;
            else ++counters_.stream_gaps;
        }
    } else {
        s.set_datagram(pkt.payload);
    }
    if (flow.dpi_state == kDpiNotStarted) flow.dpi_state = kDpiClassifying;
    if (flow.dpi_state == kDpiClassifying) {
        ++c->packets;
        c->bytes += static_cast<uint32_t>(pkt.payload.size);
        classify(*c, pkt, flow, dir, slot);
    } else {
        inspect(*c, pkt, flow, dir, slot);
    }
}

void DpiEngine::classify(Context& c, const decode::PacketView& pkt, flow::Flow& flow, flow::Dir dir,
                         uint32_t slot) noexcept {
    const bool tcp = pkt.is_tcp();
    const ProbeInput in{c.stream[dir].data(), dir, flow.server_port(), tcp};
    // The protocol registered for the server port goes first: usually right, and cheapest.
    const AppId hint = registry_.by_port(in.server_port, tcp);
    uint64_t order[2] = {hint ? (c.candidates & (uint64_t{1} << (hint - 1))) : 0, 0};
    order[1] = c.candidates & ~order[0];
    for (uint64_t set : order) {
        while (set) {
            const int bit = std::countr_zero(set);
            set &= set - 1;
            const auto id = static_cast<AppId>(bit + 1);
            const Verdict v = registry_.get(id)->probe(in);
            if (v == Verdict::kExcluded) {
                c.candidates &= ~(uint64_t{1} << bit);
            } else if (v == Verdict::kDetected) {
                c.app = id;
                flow.app_proto = id;
                flow.app_confidence = static_cast<uint8_t>(Confidence::kDpi);
                flow.dpi_state = kDpiInspecting;
                ++counters_.detected;
                if (fallback_) fallback_->release(index_of(c));
                inspect(c, pkt, flow, dir, slot);
                return;
            }
        }
    }
    // None of ours claimed this packet: the fallback (nDPI) sees it too.
    if (fallback_ && !c.fallback_done) {
        const FallbackResult r = fallback_->offer(index_of(c), pkt);
        c.fallback_done = r.done;
        c.fallback_app = r.app;
    }
    const bool fallback_waits = fallback_ && !c.fallback_done;
    if ((c.candidates == 0 && (c.fallback_app || !fallback_waits)) || c.packets >= limits_.max_packets ||
        c.bytes >= limits_.max_bytes)
        give_up(flow, slot);
}

bool DpiEngine::match_expectation(flow::Flow& flow, TimestampNs now) noexcept {
    const bool tcp = flow.key.proto == decode::kIpProtoTcp;
    for (Expected& e : expected_) {
        if (e.app == kAppUnknown) continue;
        if (e.expires < now) {
            e.app = kAppUnknown;
            --expected_live_;
            continue;
        }
        if (e.tcp != tcp) continue;
        // Either orientation: the flow table may not have seen the SYN.
        const bool fwd = flow.server_port() == e.server_port && flow.server_ip() == e.server && flow.client_ip() == e.client;
        const bool rev = flow.client_port() == e.server_port && flow.client_ip() == e.server && flow.server_ip() == e.client;
        if (!fwd && !rev) continue;
        flow.app_proto = e.app;
        flow.app_confidence = static_cast<uint8_t>(Confidence::kDpi);
        flow.dpi_state = kDpiDone;
        e.app = kAppUnknown;
        --expected_live_;
        ++counters_.expected;
        return true;
    }
    return false;
}

void DpiEngine::expect(const Expectation& x) noexcept {
    const AppId app = registry_.id_of(x.app);
    if (app == kAppUnknown || x.server_port == 0) return;
    // A free entry, else the one closest to expiry.
    Expected* slot = &expected_[0];
    for (Expected& e : expected_) {
        if (e.app == kAppUnknown) {
            slot = &e;
            break;
        }
        if (e.expires < slot->expires) slot = &e;
    }
    if (slot->app == kAppUnknown) ++expected_live_;
    slot->client = x.client;
    slot->server = x.server;
    slot->server_port = x.server_port;
    slot->tcp = x.tcp;
    slot->app = app;
    slot->expires = event_ts_ + TimestampNs{x.timeout_s} * 1'000'000'000ull;
}

void DpiEngine::inspect(Context& c, const decode::PacketView& pkt, flow::Flow& flow, flow::Dir dir,
                        uint32_t slot) noexcept {
    StreamBuffer& s = c.stream[dir];
    // Twice at most: the bytes behind an upgrade point belong to the new dissector.
    for (int pass = 0; pass < 2; ++pass) {
        const Dissector* d = registry_.get(c.app);
        event_flow_ = &flow;
        event_app_ = c.app;
        event_ts_ = pkt.ts_ns;
        event_to_server_ = dir == flow::kToServer;
        event_pkt_ = &pkt;
        const InspectInput in{s.data(), dir, pkt, flow, pkt.is_tcp(), s.take_gap()};
        const InspectResult r = d->inspect(in, std::span<uint8_t>(c.state, d->info().state_bytes), *this);
        event_flow_ = nullptr;
        event_pkt_ = nullptr;
        s.consume(r.consumed);
        // A full buffer the dissector cannot use would stall it forever: drop it and resync.
        if (!r.done && s.full() && r.consumed == 0) {
            s.reset();
            ++counters_.stream_overflows;
        }
        if (!r.done) return;
        if (pass == 0 && !r.then.empty() && upgrade(c, r.then)) {
            if (s.data().empty()) return;
            continue;
        }
        flow.dpi_state = kDpiDone;
        release(slot);
        return;
    }
}

// STARTTLS and the like: the named dissector takes the flow over with fresh state; what each
// direction still buffers is the start of its stream.
bool DpiEngine::upgrade(Context& c, std::string_view then) noexcept {
    const AppId next = registry_.id_of(then);
    const Dissector* d = registry_.get(next);
    if (!d || next == c.app || d->info().state_bytes > kMaxStateBytes) return false;
    c.app = next;
    std::memset(c.state, 0, sizeof c.state);
    ++counters_.upgrades;
    return true;
}

void DpiEngine::on_flow_end(flow::Flow& record, uint32_t slot) noexcept {
    if (record.dpi_state == kDpiClassifying) {
        give_up(record, slot);
        return;
    }
    if (record.dpi_state == kDpiInspecting && slot < ctx_of_slot_.size() && ctx_of_slot_[slot]) {
        Context& c = contexts_[ctx_of_slot_[slot] - 1];
        if (const Dissector* d = registry_.get(c.app); d && c.flow_id == record.flow_id) {
            event_flow_ = &record;
            event_app_ = c.app;
            event_ts_ = record.last_ns;
            event_to_server_ = true;
            d->finish(record, std::span<uint8_t>(c.state, d->info().state_bytes), *this);
            event_flow_ = nullptr;
        }
    }
    release(slot);
}

void DpiEngine::latency(uint64_t us) noexcept {
    if (event_flow_) latency_.record(event_app_, event_flow_->server_ip(), us);
}

void DpiEngine::device_fact(DeviceFact kind, std::string_view value) noexcept {
    if (device_sink_ && event_flow_ && !value.empty()) device_sink_->device_fact(kind, value, event_pkt_, *event_flow_);
}

void DpiEngine::security_fact(const SecurityFact& fact) noexcept {
    if (security_sink_ && event_flow_) security_sink_->security_fact(fact, event_pkt_, *event_flow_);
}

AppEvent* DpiEngine::begin_event() noexcept {
    if (!events_ || !limits_.events || !event_flow_) return nullptr;
    const flow::Flow& f = *event_flow_;
    event_.flow_id = f.flow_id;
    event_.ts_ns = event_ts_;
    event_.key = f.key;
    event_.client_is_lo = f.client_is_lo;
    event_.to_server = event_to_server_;
    event_.app = event_app_;
    event_.len = 0;
    event_.truncated = 0;
    return &event_;
}

void DpiEngine::commit_event() noexcept {
    counters_.events_truncated += event_.truncated;
    while (!events_->push(event_)) {
        if (!wait_when_full_) {
            ++counters_.events_dropped;
            return;
        }
        sched_yield();  // replay: the output thread drains; never lose an event
    }
    ++counters_.events;
}

}  // namespace nms::dpi
