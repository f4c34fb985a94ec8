#include "dpi/dissectors/dhcp_parse.hpp"

namespace nms::dpi::dhcp {
namespace {

size_t append_uint(char* buf, size_t n, size_t cap, unsigned v) noexcept {
    char tmp[8];
    size_t k = 0;
    do {
        tmp[k++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v && k < sizeof tmp);
    if (n + k + 1 > cap) return n;
    if (n) buf[n++] = ',';
    while (k) buf[n++] = tmp[--k];
    return n;
}

}  // namespace

bool parse_dhcp(ByteView msg, Dhcp& out) noexcept {
    out = Dhcp{};
    if (!msg.has(0, kFixedBytes + 4) || msg.be32(kFixedBytes) != kMagic) return false;
    out.op = msg.u8(0);
    out.htype = msg.u8(1);
    out.hlen = msg.u8(2);
    if ((out.op != 1 && out.op != 2) || out.hlen > 16) return false;
    out.xid = msg.be32(4);
    out.ciaddr = msg.be32(12);
    out.yiaddr = msg.be32(16);
    out.siaddr = msg.be32(20);
    out.giaddr = msg.be32(24);
    out.chaddr = msg.sub(28, out.hlen);
    size_t pos = kFixedBytes + 4;
    while (pos < msg.size) {
        const uint8_t code = msg.u8(pos);
        if (code == 0) {
            ++pos;
            continue;
        }
        if (code == 255) return true;
        if (!msg.has(pos + 1, 1) || !msg.has(pos + 2, msg.u8(pos + 1))) {
            out.options_truncated = true;
            return true;
        }
        const uint8_t len = msg.u8(pos + 1);
        const ByteView v = msg.sub(pos + 2, len);
        switch (code) {
            case 53: if (len >= 1) out.msg_type = v.u8(0); break;
            case 12: out.hostname = v; break;
            case 60: out.vendor_class = v; break;
            case 55: out.param_list = v; break;
            case 61: out.client_id = v; break;
            case 15: out.domain = v; break;
            case 81: if (len > 3) out.fqdn = v.sub(3); break;
            case 50: if (len == 4) out.requested_ip = v.be32(0), out.has_requested_ip = true; break;
            case 54: if (len == 4) out.server_id = v.be32(0), out.has_server_id = true; break;
            case 51: if (len == 4) out.lease_time = v.be32(0), out.has_lease_time = true; break;
            default: break;
        }
        pos += 2 + size_t{len};
    }
    out.options_truncated = true;  // no end option
    return true;
}

std::string_view msg_type_name(uint8_t t) noexcept {
    static constexpr std::string_view kNames[] = {"", "discover", "offer", "request", "decline", "ack", "nak",
                                                  "release", "inform", "forcerenew", "leasequery",
                                                  "leaseunassigned", "leaseunknown", "leaseactive"};
    return t < std::size(kNames) ? kNames[t] : std::string_view{};
}

size_t param_list_string(ByteView codes, char* buf, size_t cap) noexcept {
    size_t n = 0;
    for (size_t i = 0; i < codes.size; ++i) n = append_uint(buf, n, cap, codes.u8(i));
    return n;
}

bool parse_dhcpv6(ByteView msg, Dhcpv6& out) noexcept {
    out = Dhcpv6{};
    if (msg.size < 4) return false;
    out.msg_type = msg.u8(0);
    if (out.msg_type < 1 || out.msg_type > 13) return false;
    if (out.msg_type == 12 || out.msg_type == 13) return msg.size >= 34;  // relay: not decoded further
    out.xid = msg.be24(1);
    size_t pos = 4;
    while (msg.has(pos, 4)) {
        const uint16_t code = msg.be16(pos);
        const uint16_t len = msg.be16(pos + 2);
        if (!msg.has(pos + 4, len)) return false;
        const ByteView v = msg.sub(pos + 4, len);
        switch (code) {
            case 1: out.client_duid = v; break;
            case 2: out.server_duid = v; break;
            case 6: out.oro = v; break;
            case 39: if (len > 1) out.fqdn_wire = v.sub(1); break;
            case 16:
                if (len >= 6) {
                    out.has_vendor = true;
                    out.vendor_enterprise = v.be32(0);
                    out.vendor_class = v.sub(6, v.be16(4));
                }
                break;
            default: break;
        }
        pos += 4 + size_t{len};
    }
    return pos == msg.size;
}

std::string_view v6_msg_type_name(uint8_t t) noexcept {
    static constexpr std::string_view kNames[] = {"", "solicit", "advertise", "request", "confirm", "renew",
                                                  "rebind", "reply", "release", "decline", "reconfigure",
                                                  "information-request", "relay-forward", "relay-reply"};
    return t < std::size(kNames) ? kNames[t] : std::string_view{};
}

size_t oro_string(ByteView codes, char* buf, size_t cap) noexcept {
    size_t n = 0;
    for (size_t i = 0; i + 1 < codes.size; i += 2) n = append_uint(buf, n, cap, codes.be16(i));
    return n;
}

size_t wire_name_string(ByteView wire, char* buf, size_t cap) noexcept {
    size_t n = 0;
    for (size_t p = 0; p < wire.size;) {
        const uint8_t l = wire.u8(p);
        if (l == 0 || (l & 0xc0)) break;
        const ByteView label = wire.sub(p + 1, l);
        if (n + 1 + label.size > cap) break;
        if (n) buf[n++] = '.';
        for (size_t i = 0; i < label.size; ++i) buf[n++] = static_cast<char>(label.u8(i));
        p += 1 + size_t{l};
    }
    return n;
}

}  // namespace nms::dpi::dhcp
