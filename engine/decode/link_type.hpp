#pragma once
#include <cstdint>

namespace nms::decode {

// pcap LINKTYPE_* values (tcpdump.org/linktypes.html); AF_PACKET sockets deliver kEthernet.
enum class LinkType : uint16_t {
    kNull = 0,          // BSD loopback: 4-byte host-order address family
    kEthernet = 1,
    kPpp = 9,
    kRaw = 101,         // raw IPv4/IPv6, version from the first nibble
    kPppHdlc = 50,
    kLoop = 108,        // OpenBSD loopback: 4-byte network-order address family
    kLinuxSll = 113,
    kIpv4 = 228,
    kIpv6 = 229,
    kLinuxSll2 = 276,
};

}  // namespace nms::decode
