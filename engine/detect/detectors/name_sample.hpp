#pragma once
// NameSample: a bounded copy of a name seen on the wire (a DNS query name) kept as evidence.
// Bytes outside printable ASCII become "\xNN", so the text is valid UTF-8 and safe in JSON
// and terminals whatever a tunnel put into its labels. Fixed size: lives in table entries.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nms::detect {

template <size_t N>
struct NameSample {
    uint8_t len = 0;
    char text[N]{};

    void set(std::string_view s) noexcept {
        static constexpr char kHex[] = "0123456789abcdef";
        size_t n = 0;
        bool cut = false;
        for (char ch : s) {
            const auto c = static_cast<unsigned char>(ch);
            const bool plain = c > 0x20 && c < 0x7f && c != '\\';
            if (n + (plain ? 1 : 4) > N) {
                cut = true;
                break;
            }
            if (plain) {
                text[n++] = static_cast<char>(c);
            } else {
                text[n++] = '\\';
                text[n++] = 'x';
                text[n++] = kHex[c >> 4];
                text[n++] = kHex[c & 0xf];
            }
        }
        if (cut) {  // "..." marks the cut; drop a half-written \xNN with it
            n = n > N - 3 ? N - 3 : n;
            for (size_t i = n > 3 ? n - 3 : 0; i < n; ++i)
                if (text[i] == '\\') n = i;
            text[n++] = '.';
            text[n++] = '.';
            text[n++] = '.';
        }
        len = static_cast<uint8_t>(n);
    }
    [[nodiscard]] std::string_view view() const noexcept { return {text, len}; }
    [[nodiscard]] bool empty() const noexcept { return len == 0; }
    static_assert(N >= 8 && N <= 255);
};

// Up to K distinct samples; the first ones seen are kept (stable evidence across updates).
template <size_t K, size_t N>
struct NameSamples {
    NameSample<N> s[K];
    uint8_t n = 0;

    void add(std::string_view raw) noexcept {
        if (n >= K) return;
        NameSample<N> t;
        t.set(raw);
        add(t);
    }
    void add(const NameSample<N>& t) noexcept {
        if (n >= K || t.empty()) return;
        for (uint8_t i = 0; i < n; ++i)
            if (s[i].view() == t.view()) return;
        s[n++] = t;
    }
    void merge(const NameSamples& o) noexcept {
        for (uint8_t i = 0; i < o.n; ++i) add(o.s[i]);
    }
    [[nodiscard]] std::vector<std::string> strings() const {
        std::vector<std::string> out;
        for (uint8_t i = 0; i < n; ++i) out.emplace_back(s[i].view());
        return out;
    }
};

}  // namespace nms::detect
