#pragma once
// ByteView: the only way decoders read packet bytes. Every load is bounds-checked by the
// caller through has(); the unchecked load_* helpers are for code that already checked.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace nms {

inline uint16_t load_be16(const uint8_t* p) noexcept {
    return static_cast<uint16_t>((static_cast<unsigned>(p[0]) << 8) | p[1]);
}
inline uint32_t load_be24(const uint8_t* p) noexcept {
    return (static_cast<uint32_t>(p[0]) << 16) | (static_cast<uint32_t>(p[1]) << 8) | p[2];
}
inline uint32_t load_be32(const uint8_t* p) noexcept {
    return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
           (static_cast<uint32_t>(p[2]) << 8) | p[3];
}
inline uint64_t load_be64(const uint8_t* p) noexcept {
    return (static_cast<uint64_t>(load_be32(p)) << 32) | load_be32(p + 4);
}
inline uint16_t load_le16(const uint8_t* p) noexcept {
    return static_cast<uint16_t>(p[0] | (static_cast<unsigned>(p[1]) << 8));
}
inline uint32_t load_le32(const uint8_t* p) noexcept {
    return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
           (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

struct ByteView {
    const uint8_t* data = nullptr;
    size_t size = 0;

    constexpr ByteView() = default;
    constexpr ByteView(const uint8_t* d, size_t n) : data(d), size(n) {}

    [[nodiscard]] bool empty() const noexcept { return size == 0; }
    [[nodiscard]] bool has(size_t off, size_t n) const noexcept {
        return off <= size && n <= size - off;
    }
    [[nodiscard]] ByteView sub(size_t off) const noexcept {
        return off <= size ? ByteView{data + off, size - off} : ByteView{};
    }
    [[nodiscard]] ByteView sub(size_t off, size_t n) const noexcept {
        if (off > size) return {};
        return {data + off, n < size - off ? n : size - off};
    }
    uint8_t u8(size_t off) const noexcept { return data[off]; }
    uint16_t be16(size_t off) const noexcept { return load_be16(data + off); }
    uint32_t be24(size_t off) const noexcept { return load_be24(data + off); }
    uint32_t be32(size_t off) const noexcept { return load_be32(data + off); }
    [[nodiscard]] std::string_view as_string() const noexcept {
        return {reinterpret_cast<const char*>(data), size};
    }
};

}  // namespace nms
