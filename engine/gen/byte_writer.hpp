#pragma once
// ByteWriter: appends big-endian fields to a growable buffer, with patching of length
// fields written before their contents are known. Used when a session is planned, not per packet.
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace nms::gen {

class ByteWriter {
 public:
    explicit ByteWriter(std::vector<uint8_t>& out) : out_(out) {}
    [[nodiscard]] size_t size() const noexcept { return out_.size(); }
    void u8(unsigned v) { out_.push_back(static_cast<uint8_t>(v)); }
    void be16(unsigned v) { u8(v >> 8); u8(v); }
    void be24(uint32_t v) { u8(v >> 16); u8(v >> 8); u8(v); }
    void be32(uint32_t v) { be16(v >> 16); be16(v & 0xffff); }
    void be64(uint64_t v) { be32(static_cast<uint32_t>(v >> 32)); be32(static_cast<uint32_t>(v)); }
    void le16(unsigned v) { u8(v); u8(v >> 8); }
    void le32(uint32_t v) { le16(v & 0xffff); le16(v >> 16); }
    void le64(uint64_t v) { le32(static_cast<uint32_t>(v)); le32(static_cast<uint32_t>(v >> 32)); }
    void bytes(const void* p, size_t n) {
        const auto* b = static_cast<const uint8_t*>(p);
        out_.insert(out_.end(), b, b + n);
    }
    void str(std::string_view s) { bytes(s.data(), s.size()); }
    void zeros(size_t n) { out_.insert(out_.end(), n, 0); }
    // QUIC variable-length integer (RFC 9000 §16).
    void varint(uint64_t v) {
        if (v < 64) u8(static_cast<unsigned>(v));
        else if (v < 16384) be16(0x4000u | static_cast<unsigned>(v));
        else if (v < (1u << 30)) be32(0x80000000u | static_cast<uint32_t>(v));
        else be64(0xc000000000000000ULL | v);
    }
    // Reserves an n-byte big-endian length field; fill it with patch(mark) once the data follows.
    size_t mark(unsigned n) {
        const size_t at = out_.size();
        zeros(n);
        return at;
    }
    // Writes the number of bytes appended since the n-byte field at `at` into that field.
    void patch(size_t at, unsigned n) {
        const size_t len = out_.size() - at - n;
        for (unsigned i = 0; i < n; ++i) out_[at + i] = static_cast<uint8_t>(len >> (8 * (n - 1 - i)));
    }
    uint8_t* data() noexcept { return out_.data(); }

 private:
    std::vector<uint8_t>& out_;
};

}  // namespace nms::gen
