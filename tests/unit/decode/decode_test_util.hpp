#pragma once
// Helpers shared by the decode tests: every decode runs over a heap copy of exactly `caplen`
// bytes, so AddressSanitizer reports any read past the captured length.
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "common/ip_addr.hpp"
#include "decode/decode.hpp"
#include "hex_fixture.hpp"

namespace nms::test {

struct Decoded {
    std::unique_ptr<uint8_t[]> buf;  // keeps the frame alive: the view points into it
    decode::PacketView pv;

    [[nodiscard]] uint32_t off(const uint8_t* p) const { return static_cast<uint32_t>(p - buf.get()); }
    [[nodiscard]] std::string payload_text() const {
        return std::string(reinterpret_cast<const char*>(pv.payload.data), pv.payload.size);
    }
};

inline Decoded decode_bytes(decode::LinkType link, const uint8_t* data, uint32_t caplen, uint32_t wirelen) {
    Decoded d;
    d.buf = std::make_unique<uint8_t[]>(caplen == 0 ? 1 : caplen);
    if (caplen != 0) std::memcpy(d.buf.get(), data, caplen);
    decode::decode_packet(link, caplen == 0 ? nullptr : d.buf.get(), caplen, wirelen, 1, d.pv);
    return d;
}

inline Decoded decode_bytes(decode::LinkType link, const std::vector<uint8_t>& bytes) {
    const auto n = static_cast<uint32_t>(bytes.size());
    return decode_bytes(link, bytes.data(), n, n);
}

inline Decoded decode_fixture(const HexFixture& fx) {
    return decode_bytes(fx.link(), fx.bytes.data(), fx.size(), fx.wirelen);
}

inline Decoded decode_fixture(const std::string& name) {
    return decode_fixture(load_hex_fixture(name));
}

inline IpAddr ip(const char* text) {
    return IpAddr::parse(text).value();
}

inline std::string mac(const uint8_t* m) {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    return buf;
}

// The same frame in the other direction: innermost addresses and ports swapped in place.
inline std::vector<uint8_t> reversed(const std::vector<uint8_t>& bytes, const decode::PacketView& pv) {
    std::vector<uint8_t> r = bytes;
    const bool v4 = pv.l3 == decode::L3::kIpv4;
    const size_t a = pv.l3_off + (v4 ? 12u : 8u);
    const size_t n = v4 ? 4 : 16;
    for (size_t i = 0; i < n; ++i) std::swap(r[a + i], r[a + n + i]);
    if (pv.src_port != 0 || pv.dst_port != 0) {
        std::swap(r[pv.l4_off], r[pv.l4_off + 2u]);
        std::swap(r[pv.l4_off + 1u], r[pv.l4_off + 3u]);
    }
    return r;
}

}  // namespace nms::test
