#pragma once
// Dissector: one application protocol. One file per protocol under dissectors/, one line in
// registry.cpp, one test. Dissectors are stateless and const: per-flow state lives in the
// `state` bytes the engine hands in, so one instance serves every worker and the fuzzers.
//
// Contract (nDPI's three outcomes):
//  probe()   looks at the first bytes of one direction and says kDetected, kExcluded or
//            kNeedMore. It is pure: the engine asks every candidate on the same bytes.
//  inspect() runs for the detected protocol on every later chunk of in-order payload until
//            it returns done; it extracts metadata into events and into the flow's metadata.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/bytes.hpp"
#include "decode/packet_view.hpp"
#include "dpi/app_event.hpp"
#include "dpi/app_id.hpp"
#include "flow/flow.hpp"

namespace nms::dpi {

enum class Verdict : uint8_t { kDetected, kExcluded, kNeedMore };

enum L4Mask : uint8_t { kTcp = 1, kUdp = 2, kTcpUdp = 3 };

struct DissectorInfo {
    std::string_view name;                // EVE app_proto ("http", "tls", "dns", ...)
    uint8_t l4 = kTcpUdp;                 // transports it can run on
    std::array<uint16_t, 6> ports{};      // well-known server ports (0 = unused): probed
                                          // first, and the labelled fallback when DPI fails
    uint16_t state_bytes = 0;             // per-flow state inspect() needs (<= kMaxStateBytes)
    bool port_fallback = true;            // may label a flow by port alone (confidence kPort)
};

inline constexpr size_t kMaxStateBytes = 512;

struct ProbeInput {
    ByteView data;           // TCP: in-order bytes of this direction so far (bounded); UDP: the datagram
    flow::Dir dir;           // direction of `data`
    uint16_t server_port;    // the flow's server port (client/server as the flow table decided)
    bool tcp;
};

struct InspectInput {
    ByteView data;                     // unconsumed in-order bytes of this direction (TCP) or the datagram (UDP)
    flow::Dir dir;
    const decode::PacketView& pkt;     // the packet that brought the latest bytes
    const flow::Flow& flow;
    bool tcp;
    bool stream_gap;                   // TCP bytes were lost before `data` (resync needed)
};

struct InspectResult {
    uint32_t consumed = 0;   // bytes of `data` fully handled; the rest is offered again with more
    bool done = false;       // nothing more to extract from this flow
    // With done: the dissector named here inspects the rest of the flow (STARTTLS-style
    // upgrades: "tls"). The flow keeps its app_proto; the new dissector's events carry its name.
    std::string_view then{};
};

// Render side (output thread): writes the inside of the "<name>": {...} object of an event.
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

class Dissector {
 public:
    virtual ~Dissector() = default;
    [[nodiscard]] virtual const DissectorInfo& info() const noexcept = 0;
    [[nodiscard]] virtual Verdict probe(const ProbeInput& in) const noexcept = 0;
    // Default: classification only.
    virtual InspectResult inspect(const InspectInput& in, std::span<uint8_t> state, EventSink& events) const noexcept {
        (void)in;
        (void)state;
        (void)events;
        return {0, true};
    }
    // The flow ended while this dissector was still inspecting it: flush what is pending
    // (e.g. a request that never got its response).
    virtual void finish(const flow::Flow& flow, std::span<uint8_t> state, EventSink& events) const noexcept {
        (void)flow;
        (void)state;
        (void)events;
    }
    // Renders an event this dissector wrote (as the body of the "<name>" key).
    virtual void render(const AppEvent& ev, JsonWriter& w) const {
        (void)ev;
        w.StartObject();
        w.EndObject();
    }
};

}  // namespace nms::dpi
