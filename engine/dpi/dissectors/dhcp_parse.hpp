#pragma once
// Pure DHCP (RFC 2131/2132) and DHCPv6 (RFC 8415) parsing: fixed header and the options a
// device tracker wants (hostname, vendor class, parameter request list fingerprint, ...).
// Views point into the message; no state, no allocation, every read bounded.
#include <cstdint>
#include <string_view>

#include "common/bytes.hpp"

namespace nms::dpi::dhcp {

inline constexpr size_t kFixedBytes = 236;   // up to the magic cookie
inline constexpr uint32_t kMagic = 0x63825363;

struct Dhcp {
    uint8_t op = 0;            // 1 request, 2 reply
    uint8_t htype = 0, hlen = 0;
    uint32_t xid = 0;
    uint32_t ciaddr = 0, yiaddr = 0, siaddr = 0, giaddr = 0;  // host order
    ByteView chaddr;           // hlen bytes (<= 16)
    uint8_t msg_type = 0;      // option 53 (0 = absent)
    ByteView hostname;         // option 12
    ByteView vendor_class;     // option 60
    ByteView param_list;       // option 55: raw codes
    ByteView client_id;        // option 61
    ByteView domain;           // option 15
    ByteView fqdn;             // option 81 name part (flags and rcodes skipped)
    uint32_t requested_ip = 0; // option 50
    uint32_t server_id = 0;    // option 54
    uint32_t lease_time = 0;   // option 51
    bool has_requested_ip = false, has_server_id = false, has_lease_time = false;
    bool options_truncated = false;
};
// Header plus magic cookie; false when `msg` is not DHCP/BOOTP-with-cookie.
bool parse_dhcp(ByteView msg, Dhcp& out) noexcept;
// "discover", "offer", ... or empty.
std::string_view msg_type_name(uint8_t t) noexcept;
// Option 55 as the fingerprint string "1,3,6,15" into buf; returns the length written.
size_t param_list_string(ByteView codes, char* buf, size_t cap) noexcept;

struct Dhcpv6 {
    uint8_t msg_type = 0;      // 1 solicit .. 13 relay-reply
    uint32_t xid = 0;          // 24 bits
    ByteView client_duid;      // option 1
    ByteView server_duid;      // option 2
    ByteView fqdn_wire;        // option 39 name (DNS wire format, maybe not fully qualified)
    uint32_t vendor_enterprise = 0;  // option 16
    ByteView vendor_class;     // option 16: the first vendor-class-data string
    ByteView oro;              // option 6: raw u16 codes
    bool has_vendor = false;
};
bool parse_dhcpv6(ByteView msg, Dhcpv6& out) noexcept;
std::string_view v6_msg_type_name(uint8_t t) noexcept;
// Option 6 codes as "23,24,39".
size_t oro_string(ByteView codes, char* buf, size_t cap) noexcept;
// DNS wire-format name (labels, maybe without the final 0) as dotted text into buf.
size_t wire_name_string(ByteView wire, char* buf, size_t cap) noexcept;

}  // namespace nms::dpi::dhcp
