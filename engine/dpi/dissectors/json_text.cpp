#include "dpi/dissectors/json_text.hpp"

namespace nms::dpi {
namespace {

// Length of the valid UTF-8 sequence at p[0..n), or 0 when invalid; `bad` gets how many bytes
// one U+FFFD replaces. Like Wireshark: the lead byte sets the length and the continuation
// bytes present are swallowed with it; complete but overlong, surrogate or out-of-range
// sequences are replaced whole. The output is always valid UTF-8.
size_t utf8_seq(const uint8_t* p, size_t n, size_t& bad) noexcept {
    const uint8_t c = p[0];
    bad = 1;
    size_t need;
    uint32_t cp;
    if (c < 0x80) return 1;
    if (c >= 0xc0 && c <= 0xdf) need = 1, cp = c & 0x1fu;
    else if (c >= 0xe0 && c <= 0xef) need = 2, cp = c & 0x0fu;
    else if (c >= 0xf0 && c <= 0xf7) need = 3, cp = c & 0x07u;
    else if (c >= 0xf8 && c <= 0xfb) need = 4, cp = 0x110000;  // 5- and 6-byte forms: never valid,
    else if (c >= 0xfc && c <= 0xfd) need = 5, cp = 0x110000;  // but replaced as one sequence
    else return 0;
    for (size_t i = 1; i <= need; ++i) {
        if (i >= n || (p[i] & 0xc0) != 0x80) return 0;
        if (need <= 3) cp = (cp << 6) | (p[i] & 0x3fu);
        bad = i + 1;
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000, 0, 0};
    if (cp < kMin[need] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return need + 1;
}

}  // namespace

void append_text(std::string& out, ByteView in, TextMode mode) {
    out.reserve(out.size() + in.size);
    size_t i = 0;
    while (i < in.size) {
        const uint8_t c = in.data[i];
        if (c < 0x80) {
            if (mode == TextMode::kEscapeControls && (c < 0x20 || c == 0x7f)) {
                out += '\\';
                out += static_cast<char>('0' + ((c >> 6) & 7));
                out += static_cast<char>('0' + ((c >> 3) & 7));
                out += static_cast<char>('0' + (c & 7));
            } else {
                out += static_cast<char>(c);
            }
            ++i;
            continue;
        }
        size_t bad = 1;
        const size_t n = utf8_seq(in.data + i, in.size - i, bad);
        if (n) {
            out.append(reinterpret_cast<const char*>(in.data + i), n);
            i += n;
        } else {
            out += "\xef\xbf\xbd";
            i += bad;
        }
    }
}

void write_text(JsonWriter& w, ByteView in, TextMode mode) {
    std::string s;
    append_text(s, in, mode);
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

}  // namespace nms::dpi
