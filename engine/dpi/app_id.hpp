#pragma once
// AppId: a dense id the Registry hands out when a dissector registers (0 = unknown). Ids
// are not a central enum: code that needs a specific protocol asks the registry once for
// id_of("dns") and keeps the number.
#include <cstdint>

#include "common/time.hpp"

namespace nms::dpi {

using AppId = uint16_t;
inline constexpr AppId kAppUnknown = 0;

// How an app_proto was decided (EVE "app_proto_confidence" of our own).
enum class Confidence : uint8_t { kNone = 0, kPort = 1, kDpi = 2, kNdpi = 3 };  // kNdpi: the nDPI fallback

// Flow::dpi_state values.
enum FlowDpiState : uint8_t {
    kDpiNotStarted = 0,
    kDpiClassifying = 1,   // candidates left, within the per-flow budget
    kDpiInspecting = 2,    // detected; the dissector still reads transactions
    kDpiDone = 3,          // nothing more to learn from this flow
};

}  // namespace nms::dpi
