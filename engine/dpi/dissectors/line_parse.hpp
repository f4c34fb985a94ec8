#pragma once
// Pure helpers for the line-based protocols (SMTP, FTP, POP3, IMAP): bounded, no allocation.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace nms::dpi::lines {

// The next complete line of `d` (without CR LF) and the bytes it takes including its LF;
// taken == 0 when no LF has arrived yet.
struct Line {
    std::string_view text;
    size_t taken = 0;
};
inline Line next_line(std::string_view d) noexcept {
    const size_t lf = d.find('\n');
    if (lf == std::string_view::npos) return {};
    size_t end = lf;
    if (end > 0 && d[end - 1] == '\r') --end;
    return {d.substr(0, end), lf + 1};
}

inline char upper(char c) noexcept { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }

inline bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (upper(a[i]) != upper(b[i])) return false;
    return true;
}
inline bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}
// Case-insensitive search for an ASCII needle.
inline bool icontains(std::string_view s, std::string_view needle) noexcept {
    if (needle.size() > s.size()) return false;
    for (size_t i = 0; i + needle.size() <= s.size(); ++i)
        if (iequals(s.substr(i, needle.size()), needle)) return true;
    return false;
}

// Splits "VERB rest" at the first space.
inline void split_command(std::string_view line, std::string_view& verb, std::string_view& arg) noexcept {
    const size_t sp = line.find(' ');
    verb = line.substr(0, sp);
    arg = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);
}

// A 3-digit reply code at the start of `line` (SMTP/FTP), or -1.
inline int reply_code(std::string_view line) noexcept {
    if (line.size() < 3) return -1;
    int v = 0;
    for (size_t i = 0; i < 3; ++i) {
        if (line[i] < '0' || line[i] > '9') return -1;
        v = v * 10 + (line[i] - '0');
    }
    return v;
}
// Whether a reply line is the last of its reply ("250 ok", not "250-more").
inline bool final_reply_line(std::string_view line) noexcept { return line.size() == 3 || line[3] != '-'; }

// Whether `d` (what has arrived so far) could still grow into one of `words` or starts with one.
// Returns 1 = starts with a word, 0 = could be a prefix, -1 = no.
template <size_t N>
int match_words(std::string_view d, const std::string_view (&words)[N]) noexcept {
    bool prefix = false;
    for (std::string_view w : words) {
        if (istarts_with(d, w)) return 1;
        if (d.size() < w.size() && iequals(d, w.substr(0, d.size()))) prefix = true;
    }
    return prefix ? 0 : -1;
}

// Copies at most N bytes of `s` into a fixed char array; returns the length kept.
template <size_t N>
uint8_t copy_to(char (&dst)[N], std::string_view s) noexcept {
    static_assert(N <= 255);
    const size_t n = s.size() < N ? s.size() : N;
    if (n) std::memcpy(dst, s.data(), n);
    return static_cast<uint8_t>(n);
}

}  // namespace nms::dpi::lines
