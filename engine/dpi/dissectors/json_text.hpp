#pragma once
// Writes wire bytes as a JSON string: valid UTF-8 passes through, every invalid byte
// becomes U+FFFD, so hostile names never break the EVE line (RapidJSON writes raw bytes).
#include <string_view>

#include "common/bytes.hpp"
#include "dpi/dissector.hpp"

namespace nms::dpi {

void write_json_text(JsonWriter& w, ByteView v);
inline void write_json_text(JsonWriter& w, std::string_view s) {
    write_json_text(w, ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

}  // namespace nms::dpi
