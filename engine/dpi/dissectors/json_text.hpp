#pragma once
// Text from the wire into JSON: RapidJSON's Writer copies raw bytes, so invalid UTF-8 would
// make the EVE line unparsable. write_text() passes valid UTF-8 through and replaces every
// invalid byte with U+FFFD. Render side only (output thread): it may allocate.
#include <string>
#include <string_view>

#include "common/bytes.hpp"
#include "dpi/dissector.hpp"

namespace nms::dpi {

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF).
bool valid_utf8(std::string_view s) noexcept;
// `s` with each invalid byte replaced by U+FFFD.
std::string sanitize_utf8(std::string_view s);
void write_text(JsonWriter& w, std::string_view s);
inline void write_text(JsonWriter& w, ByteView v) { write_text(w, v.as_string()); }

}  // namespace nms::dpi
