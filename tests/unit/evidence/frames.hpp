#pragma once
// Test frames for the evidence tests: Ethernet + IPv4/IPv6 + TCP between two hosts, with
// the payload length chosen by the test (so frame sizes vary).
#include <cstdint>
#include <vector>

#include "common/ip_addr.hpp"
#include "gen/frame_builder.hpp"

namespace nms::evidence::test {

inline gen::Endpoint v4_host(uint8_t last) {
    gen::Endpoint e = gen::local_host(last, false);
    e.port = static_cast<uint16_t>(40000 + last);
    return e;
}
inline gen::Endpoint v6_host(uint8_t last) {
    gen::Endpoint e = gen::local_host(last, true);
    e.port = static_cast<uint16_t>(40000 + last);
    return e;
}
inline IpAddr ip_of(const gen::Endpoint& e) { return e.v6 ? IpAddr::from_v6(e.ip) : IpAddr::from_v4(e.ip); }

inline std::vector<uint8_t> frame(const gen::Endpoint& src, const gen::Endpoint& dst, size_t payload = 0,
                                  uint8_t fill = 0) {
    std::vector<uint8_t> buf(gen::kMaxFrame);
    std::vector<uint8_t> pl(payload, fill);
    gen::L4Fields l4;
    l4.tcp_flags = 0x18;
    const size_t n = gen::build_ip_frame(buf.data(), src, dst, l4, pl.data(), pl.size());
    buf.resize(n);
    return buf;
}

}  // namespace nms::evidence::test
