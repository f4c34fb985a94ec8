#pragma once
// IpAddr: an IPv4 or IPv6 address in 16 bytes (IPv4 stored as ::ffff:a.b.c.d) so flow keys
// of both families share one layout and compare with memcmp.
#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace nms {

struct IpAddr {
    std::array<uint8_t, 16> bytes{};

    static IpAddr from_v4(const uint8_t* p) noexcept {
        IpAddr a;
        a.bytes[10] = 0xff;
        a.bytes[11] = 0xff;
        std::memcpy(a.bytes.data() + 12, p, 4);
        return a;
    }
    static IpAddr from_v4(uint32_t host_order) noexcept {
        const uint8_t b[4] = {static_cast<uint8_t>(host_order >> 24), static_cast<uint8_t>(host_order >> 16),
                              static_cast<uint8_t>(host_order >> 8), static_cast<uint8_t>(host_order)};
        return from_v4(b);
    }
    static IpAddr from_v6(const uint8_t* p) noexcept {
        IpAddr a;
        std::memcpy(a.bytes.data(), p, 16);
        return a;
    }
    // Parses dotted IPv4 or RFC 4291 IPv6 text.
    static std::optional<IpAddr> parse(std::string_view text);

    [[nodiscard]] bool is_v4() const noexcept {
        static constexpr uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        return std::memcmp(bytes.data(), kPrefix, 12) == 0;
    }
    [[nodiscard]] uint32_t v4() const noexcept {
        return (uint32_t{bytes[12]} << 24) | (uint32_t{bytes[13]} << 16) | (uint32_t{bytes[14]} << 8) | bytes[15];
    }
    // RFC 5952 text for IPv6 (as inet_ntop prints it), dotted quad for IPv4.
    [[nodiscard]] std::string to_string() const;
    // Writes the text form into buf (at least 46 bytes); returns its length.
    size_t format(char* buf) const noexcept;

    friend bool operator==(const IpAddr&, const IpAddr&) = default;
    friend auto operator<=>(const IpAddr&, const IpAddr&) = default;
};

}  // namespace nms
