#pragma once
// FallbackClassifier: the long tail. When none of our dissectors claimed a flow, the DPI
// engine lets a fallback look at the same packets while the flow is still classifying. The
// one we build is nDPI (Debian's libndpi 4.2): one detection module per worker, and an
// ndpi_flow_struct per flow taken from a fixed pool only while nDPI is deciding, returned
// as soon as it does. Its verdicts are named by a second name table in the Registry (ids
// from Registry::kExtraBase): nDPI's lower-case protocol name ("bittorrent", "dropbox"),
// or our own id when nDPI names a protocol we have a dissector for.
#include <cstdint>
#include <memory>

#include "decode/packet_view.hpp"
#include "dpi/app_id.hpp"

namespace nms::dpi {

class Registry;

struct FallbackResult {
    AppId app = kAppUnknown;   // decided protocol (kAppUnknown: none)
    bool done = false;         // no point offering more packets (decided, failed or no state)
};

class FallbackClassifier {
 public:
    virtual ~FallbackClassifier() = default;
    // One packet (with payload) of the flow in engine context `ctx` that none of ours claimed.
    // State for ctx is created on the first offer and freed when the result is done.
    virtual FallbackResult offer(uint32_t ctx, const decode::PacketView& pkt) noexcept = 0;
    // The engine stops classifying ctx: nDPI's final DPI verdict (no port guesses); frees state.
    virtual AppId finish(uint32_t ctx) noexcept = 0;
    // Forgets ctx's state without a verdict (one of ours claimed the flow).
    virtual void release(uint32_t ctx) noexcept = 0;
    [[nodiscard]] virtual size_t memory_bytes() const noexcept = 0;
    // Flow states the pool could not provide (counted, the flow just gets no fallback).
    [[nodiscard]] virtual uint64_t pool_exhausted() const noexcept = 0;
};

// nDPI behind the interface: `contexts` = the engine's context count (ctx < contexts),
// `pool` = ndpi_flow_structs allocated up front. Null when nDPI cannot be initialised.
std::unique_ptr<FallbackClassifier> make_ndpi_fallback(const Registry& registry, uint32_t contexts, uint32_t pool);
// Adds nDPI's protocol names to the registry's extra name table (once, at start-up).
void register_fallback_names(Registry& registry);

}  // namespace nms::dpi
