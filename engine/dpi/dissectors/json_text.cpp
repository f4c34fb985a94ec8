#include "dpi/dissectors/json_text.hpp"

namespace nms::dpi {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is invalid.
size_t seq_len(std::string_view s, size_t i) noexcept {
    const auto b0 = static_cast<uint8_t>(s[i]);
    if (b0 < 0x80) return 1;
    size_t n;
    uint32_t cp;
    if (b0 >= 0xc2 && b0 <= 0xdf) n = 2, cp = b0 & 0x1fu;
    else if (b0 >= 0xe0 && b0 <= 0xef) n = 3, cp = b0 & 0x0fu;
    else if (b0 >= 0xf0 && b0 <= 0xf4) n = 4, cp = b0 & 0x07u;
    else return 0;
    if (s.size() - i < n) return 0;
    for (size_t k = 1; k < n; ++k) {
        const auto b = static_cast<uint8_t>(s[i + k]);
        if ((b & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (b & 0x3fu);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return n;
}

}  // namespace

bool valid_utf8(std::string_view s) noexcept {
    for (size_t i = 0; i < s.size();) {
        const size_t n = seq_len(s, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

std::string sanitize_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 8);
    for (size_t i = 0; i < s.size();) {
        const size_t n = seq_len(s, i);
        if (n == 0) {
            out += "\xef\xbf\xbd";
            ++i;
        } else {
            out.append(s.substr(i, n));
            i += n;
        }
    }
    return out;
}

void write_text(JsonWriter& w, std::string_view s) {
    if (valid_utf8(s)) {
        w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
        return;
    }
    const std::string clean = sanitize_utf8(s);
    w.String(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
}

}  // namespace nms::dpi
