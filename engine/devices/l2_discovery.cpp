#include "devices/l2_discovery.hpp"

namespace nms::devices {
namespace {

template <size_t N>
void append_word(FixedText<N>& t, std::string_view w) noexcept {
    char tmp[N];
    size_t n = 0;
    for (size_t i = 0; i < t.len && n < N; ++i) tmp[n++] = t.buf[i];
    if (n && n < N) tmp[n++] = ',';
    for (char c : w)
        if (n < N) tmp[n++] = c;
    t.set(std::string_view(tmp, n));
}

// LLDP and CDP share the capability meanings, with different bit positions.
template <size_t N>
void lldp_caps(FixedText<N>& t, uint16_t caps) noexcept {
    static constexpr const char* kNames[] = {"other", "repeater", "bridge", "wlan_ap", "router", "phone",
                                             "docsis", "station", "cvlan", "svlan", "tpmr"};
    for (size_t i = 0; i < sizeof kNames / sizeof kNames[0]; ++i)
        if (caps & (1u << i)) append_word(t, kNames[i]);
}

template <size_t N>
void cdp_caps(FixedText<N>& t, uint32_t caps) noexcept {
    static constexpr const char* kNames[] = {"router", "bridge", "source_route_bridge", "switch", "host",
                                             "igmp", "repeater", "phone", "remote", "cvta", "two_port_mac_relay"};
    for (size_t i = 0; i < sizeof kNames / sizeof kNames[0]; ++i)
        if (caps & (1u << i)) append_word(t, kNames[i]);
}

std::string_view first_line(ByteView v) noexcept {
    std::string_view s(reinterpret_cast<const char*>(v.data), v.size);
    const size_t nl = s.find_first_of("\r\n");
    return nl == std::string_view::npos ? s : s.substr(0, nl);
}

}  // namespace

bool parse_lldp(ByteView p, L2Announcement& out) noexcept {
    out = L2Announcement{};
    size_t off = 0;
    bool any = false;
    while (off + 2 <= p.size) {
        const uint16_t th = p.be16(off);
        const uint8_t type = static_cast<uint8_t>(th >> 9);
        const size_t len = th & 0x1ffu;
        off += 2;
        if (type == 0) break;                    // End of LLDPDU
        if (len > p.size - off) return false;    // truncated TLV: drop the frame
        const ByteView v{p.data + off, len};
        switch (type) {
            case 2:  // port ID: subtype byte, then the ID (interface name / MAC / ...)
                if (len > 1 && (v.data[0] == 5 || v.data[0] == 7 || v.data[0] == 1)) out.port.set(v.sub(1));
                break;
            case 4:  // port description: better than a numeric port ID
                if (out.port.empty() && len) out.port.set(v);
                break;
            case 5:
                out.system_name.set(v);
                any = true;
                break;
            case 6:
                out.description.set(first_line(v));
                break;
            case 7:
                if (len >= 4) lldp_caps(out.capabilities, v.be16(2));
                break;
            default:
                break;
        }
        any = any || type == 1;
        off += len;
    }
    if (any) out.proto = L2Announcement::Proto::kLldp;
    return any;
}

bool parse_cdp(ByteView p, L2Announcement& out) noexcept {
    out = L2Announcement{};
    static constexpr uint8_t kSnap[] = {0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00};
    if (p.size < sizeof kSnap + 4) return false;
    for (size_t i = 0; i < sizeof kSnap; ++i)
        if (p.data[i] != kSnap[i]) return false;
    size_t off = sizeof kSnap + 4;  // version, ttl, checksum
    bool any = false;
    while (off + 4 <= p.size) {
        const uint16_t type = p.be16(off);
        const size_t len = p.be16(off + 2);
        if (len < 4 || len > p.size - off) break;
        const ByteView v{p.data + off + 4, len - 4};
        switch (type) {
            case 0x0001:
                out.system_name.set(v);
                any = true;
                break;
            case 0x0003:
                out.port.set(v);
                break;
            case 0x0004:
                if (v.size >= 4) cdp_caps(out.capabilities, load_be32(v.data));
                break;
            case 0x0005:
                out.description.set(first_line(v));
                break;
            case 0x0006:
                out.platform.set(v);
                break;
            default:
                break;
        }
        off += len;
    }
    if (any) out.proto = L2Announcement::Proto::kCdp;
    return any;
}

}  // namespace nms::devices
