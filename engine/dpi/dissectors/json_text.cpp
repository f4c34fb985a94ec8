#include "dpi/dissectors/json_text.hpp"

#include <string>

namespace nms::dpi {
namespace {

// Length of the valid UTF-8 sequence at p (1..4), or 0 when invalid.
size_t utf8_len(const uint8_t* p, size_t n) {
    const uint8_t c = p[0];
    if (c < 0x80) return 1;
    size_t len;
    uint32_t min;
    if ((c & 0xe0) == 0xc0) len = 2, min = 0x80;
    else if ((c & 0xf0) == 0xe0) len = 3, min = 0x800;
    else if ((c & 0xf8) == 0xf0) len = 4, min = 0x10000;
    else return 0;
    if (n < len) return 0;
    uint32_t cp = c & (0x7fu >> len);
    for (size_t i = 1; i < len; ++i) {
        if ((p[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (p[i] & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return len;
}

}  // namespace

void write_json_text(JsonWriter& w, ByteView v) {
    bool clean = true;
    for (size_t i = 0; i < v.size && clean;) {
        const size_t l = utf8_len(v.data + i, v.size - i);
        if (l == 0) clean = false;
        i += l;
    }
    if (clean) {
        w.String(reinterpret_cast<const char*>(v.data), static_cast<rapidjson::SizeType>(v.size));
        return;
    }
    std::string s;   // output thread only: allocation is fine here
    s.reserve(v.size + 16);
    for (size_t i = 0; i < v.size;) {
        const size_t l = utf8_len(v.data + i, v.size - i);
        if (l == 0) {
            s += "\xef\xbf\xbd";
            ++i;
        } else {
            s.append(reinterpret_cast<const char*>(v.data + i), l);
            i += l;
        }
    }
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

}  // namespace nms::dpi
