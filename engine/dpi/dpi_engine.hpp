#pragma once
// DpiEngine: one worker's application-layer driver. For each flow it keeps a context only
// while there is something to learn: classification (candidates left, within the per-flow
// budget) and then the detected dissector's inspection. Contexts come from a fixed pool
// sized at start-up; when it is empty a flow gets the port label only (counted).
#include <cstdint>
#include <memory>
#include <vector>

#include "dpi/app_event.hpp"
#include "dpi/latency_table.hpp"
#include "dpi/ndpi_fallback.hpp"
#include "dpi/registry.hpp"
#include "dpi/stream_buffer.hpp"

namespace nms::dpi {

struct DpiLimits {
    uint32_t max_contexts = 4096;    // flows classified/inspected at once, per worker
    uint32_t stream_bytes = 4096;    // buffered in-order bytes per direction
    uint32_t max_packets = 32;       // payload packets a flow may take to be classified (nDPI's default)
    uint32_t max_bytes = 16384;      // payload bytes (both directions) to be classified
    bool events = true;              // produce per-transaction events
    bool fallback = true;            // nDPI looks at flows none of our dissectors claimed
    uint32_t fallback_flows = 512;   // nDPI flow states per worker (fixed pool)
};

struct DpiCounters {
    uint64_t detected = 0;           // flows classified by DPI
    uint64_t port_labelled = 0;      // flows labelled by well-known port only
    uint64_t unknown = 0;            // flows with payload that nothing recognised
    uint64_t no_context = 0;         // pool empty: flow got no DPI
    uint64_t stream_gaps = 0;        // TCP bytes lost to a missing segment
    uint64_t stream_overflows = 0;   // a direction's buffer filled before the dissector used it
    uint64_t events = 0;
    uint64_t events_dropped = 0;     // event ring full
    uint64_t events_truncated = 0;   // fields that did not fit an event
    uint64_t fallback_detected = 0;  // flows named by the nDPI fallback
    uint64_t expected = 0;           // flows labelled by an expectation (FTP data)
    uint64_t upgrades = 0;           // flows handed to another dissector mid-way (STARTTLS -> tls)

    void add(const DpiCounters& o) noexcept {
        fallback_detected += o.fallback_detected;
        expected += o.expected;
        upgrades += o.upgrades;
        detected += o.detected;
        port_labelled += o.port_labelled;
        unknown += o.unknown;
        no_context += o.no_context;
        stream_gaps += o.stream_gaps;
        stream_overflows += o.stream_overflows;
        events += o.events;
        events_dropped += o.events_dropped;
        events_truncated += o.events_truncated;
    }
};

class DpiEngine final : private EventSink {
 public:
    // `events` may be null (no event output). flow_capacity = the worker's FlowTable capacity.
    DpiEngine(const Registry& registry, uint32_t flow_capacity, const DpiLimits& limits, AppEventRing* events,
              bool wait_when_full);
    ~DpiEngine() override;
    DpiEngine(const DpiEngine&) = delete;
    DpiEngine& operator=(const DpiEngine&) = delete;

    // After FlowTable::process() of a packet with payload. `slot` = FlowTable::slot_of(flow).
    void on_packet(const decode::PacketView& pkt, flow::Flow& flow, uint32_t slot) noexcept;
    // When the flow ends: releases its context and settles app_proto on `record` (a copy).
    void on_flow_end(flow::Flow& record, uint32_t slot) noexcept;

    [[nodiscard]] const DpiCounters& counters() const noexcept { return counters_; }
    [[nodiscard]] LatencyTable& latency() noexcept { return latency_; }
    [[nodiscard]] const LatencyTable& latency() const noexcept { return latency_; }
    [[nodiscard]] const Registry& registry() const noexcept { return registry_; }
    [[nodiscard]] size_t memory_bytes() const noexcept;
    // Where dissectors' device facts go (the worker's DeviceShard); null = dropped.
    void set_device_sink(DeviceFactSink* sink) noexcept { device_sink_ = sink; }
    // Where dissectors' security facts go (the worker's shard detectors); null = dropped.
    void set_security_sink(SecurityFactSink* sink) noexcept { security_sink_ = sink; }

 private:
    struct Context;

    Context* acquire(flow::Flow& flow, uint32_t slot) noexcept;
    void release(uint32_t slot) noexcept;
    void classify(Context& c, const decode::PacketView& pkt, flow::Flow& flow, flow::Dir dir, uint32_t slot) noexcept;
    void inspect(Context& c, const decode::PacketView& pkt, flow::Flow& flow, flow::Dir dir, uint32_t slot) noexcept;
    void give_up(flow::Flow& flow, uint32_t slot) noexcept;
    bool upgrade(Context& c, std::string_view then) noexcept;
    uint32_t index_of(const Context& c) const noexcept;
    bool match_expectation(flow::Flow& flow, TimestampNs now) noexcept;
    AppEvent* begin_event() noexcept override;
    void commit_event() noexcept override;
    void latency(uint64_t us) noexcept override;
    void expect(const Expectation& e) noexcept override;

    // Connections dissectors announced (FTP data): small, bounded, entries expire.
    struct Expected {
        IpAddr client, server;
        TimestampNs expires = 0;
        AppId app = kAppUnknown;   // kAppUnknown = free entry
        uint16_t server_port = 0;
        bool tcp = true;
    };
    static constexpr size_t kMaxExpected = 32;
    void device_fact(DeviceFact kind, std::string_view value) noexcept override;
    void security_fact(const SecurityFact& fact) noexcept override;

    const Registry& registry_;
    DpiLimits limits_;
    AppEventRing* events_;
    bool wait_when_full_;
    std::vector<uint32_t> ctx_of_slot_;   // 0 = none, else context index + 1
    std::unique_ptr<Context[]> contexts_;
    std::unique_ptr<uint8_t[]> stream_storage_;
    std::vector<uint32_t> free_;          // free context indices
    std::unique_ptr<FallbackClassifier> fallback_;   // null when disabled
    Expected expected_[kMaxExpected];
    uint32_t expected_live_ = 0;
    DpiCounters counters_;
    LatencyTable latency_;
    // The event being built, and the flow it belongs to.
    AppEvent event_;
    const flow::Flow* event_flow_ = nullptr;
    AppId event_app_ = kAppUnknown;   // the dissector writing the event (differs after an upgrade)
    TimestampNs event_ts_ = 0;
    bool event_to_server_ = true;
    const decode::PacketView* event_pkt_ = nullptr;  // packet being inspected (null in finish())
    DeviceFactSink* device_sink_ = nullptr;
    SecurityFactSink* security_sink_ = nullptr;
};

}  // namespace nms::dpi
