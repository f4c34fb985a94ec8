#pragma once
// Detector plug-in interfaces (DESIGN 2.5). A detector is one file in detectors/, one line
// in registry.cpp and one test. It has up to two halves:
//
//  ShardDetector  one instance per worker, worker-local state, no locks. on_packet() runs on
//                 the packet path: no allocation, return at once for packets it does not
//                 care about. collect() runs about once per packet-time second (and at
//                 every stats tick) and may allocate: it hands what was gathered since the
//                 last call to the stats thread and starts over.
//  GlobalDetector one instance on the stats thread. absorb() receives every worker's part
//                 for a second; evaluate() runs once per packet-time second on the merged
//                 windows and raises AlertCandidates.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/time.hpp"
#include "config/config.hpp"
#include "decode/packet_view.hpp"
#include "detect/alert_sink.hpp"
#include "detect/detect_delta.hpp"
#include "dpi/security_fact.hpp"
#include "flow/flow.hpp"

namespace nms::devices {
class LocalNets;
struct DeviceEvent;
}  // namespace nms::devices

namespace nms::detect {

// What a flow moved since the detectors last looked at it (walked at collect time and when
// the flow ends): volume detectors use this instead of per-packet work.
struct FlowProgress {
    uint64_t bytes[2]{};   // per flow::Dir (0 = client -> server)
    uint64_t pkts[2]{};
};

// Flow::detect_bits: one mark per detector that needs one (shard detectors run on the flow's
// own worker, so they may set it through a const_cast, like ShardDetectorSet's detect_* fields).
inline constexpr uint8_t kFlowSessionJudged = 0x01;  // brute_force: the session was judged at its first FIN/RST

// Everything a detector factory may need.
struct DetectorSetup {
    const config::DetectConfig& config;
    const devices::LocalNets* local_nets = nullptr;  // devices.local_networks; outlives the detectors
    uint32_t worker = 0;                             // shard detectors only
};

class ShardDetector {
 public:
    virtual ~ShardDetector() = default;
    // After the flow table saw the packet. `flow` is null for packets without a flow (ARP,
    // invalid IP) and when the table could not track it. No allocation, no locks.
    virtual void on_packet(const decode::PacketView& pkt, const flow::Flow* flow) noexcept {
        (void)pkt;
        (void)flow;
    }
    // Volume since the last look, for flows touched in the interval; then once more at the end.
    virtual void on_flow_progress(const flow::Flow& flow, const FlowProgress& p) noexcept {
        (void)flow;
        (void)p;
    }
    virtual void on_flow_end(const flow::Flow& flow) noexcept { (void)flow; }
    // From DPI (DNS queries/answers, login outcomes). Same rules as on_packet.
    virtual void on_security_fact(const dpi::SecurityFact& fact, const decode::PacketView* pkt,
                                  const flow::Flow& flow) noexcept {
        (void)fact;
        (void)pkt;
        (void)flow;
    }
    // What was gathered since the last call (null = nothing); the detector starts over.
    virtual std::unique_ptr<DetectorDelta> collect() = 0;
    // Entries its fixed tables pushed out since construction (for the counters).
    [[nodiscard]] virtual uint64_t evictions() const noexcept { return 0; }
};

// Context of one evaluation on the stats thread.
struct DetectView {
    int64_t second = 0;                              // packet-time second being judged
    TimestampNs now = 0;                             // end of that second (packet time)
    const devices::LocalNets* local_nets = nullptr;
    std::span<const devices::DeviceEvent> device_events;  // inventory changes of this second
};

class GlobalDetector {
 public:
    explicit GlobalDetector(AlertKind kind) : kind_(kind) {}
    virtual ~GlobalDetector() = default;
    [[nodiscard]] AlertKind kind() const noexcept { return kind_; }

    // Applies its [detect.<kind>] section (at creation and after SIGHUP, on the stats thread).
    virtual void configure(const config::DetectConfig& cfg) = 0;
    // Its section's common part (allowlists, severity), as configured.
    [[nodiscard]] virtual const config::DetectorCommon& common() const noexcept = 0;
    // One worker's part for `second` (the matching ShardDetector's collect()).
    virtual void absorb(const DetectorDelta& part, int64_t second) {
        (void)part;
        (void)second;
    }
    virtual void evaluate(const DetectView& view, TimestampNs now, AlertSink& sink) = 0;

    // Learned state worth keeping across restarts (baselines): the store saves the text and
    // hands it back at start. Default: none.
    [[nodiscard]] virtual std::string save_state() const { return {}; }
    virtual bool load_state(std::string_view text) {
        (void)text;
        return false;
    }

 private:
    AlertKind kind_;
};

}  // namespace nms::detect
