#pragma once
// Text from the wire into JSON: RapidJSON's Writer copies bytes as they are, so invalid UTF-8
// would break the EVE line for strict readers. These helpers keep valid UTF-8, replace each
// invalid sequence by U+FFFD (as tshark does) and, on request, write C0
// controls and DEL as \ooo (octal, like tshark's DNS names). Output thread only (allocates).
#include <string>
#include <string_view>

#include "common/bytes.hpp"
#include "dpi/dissector.hpp"

namespace nms::dpi {

enum class TextMode : uint8_t { kUtf8, kEscapeControls };

void append_text(std::string& out, ByteView in, TextMode mode = TextMode::kUtf8);
// Writes `in` as a JSON string value.
void write_text(JsonWriter& w, ByteView in, TextMode mode = TextMode::kUtf8);
inline void write_text(JsonWriter& w, std::string_view in, TextMode mode = TextMode::kUtf8) {
    write_text(w, ByteView(reinterpret_cast<const uint8_t*>(in.data()), in.size()), mode);
}

}  // namespace nms::dpi
