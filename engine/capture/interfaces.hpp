#pragma once
// Interface inventory for `netmonsec --list`: needs no privileges (ioctl on a UDP socket
// plus /sys/class/net), so it also works when capture itself would be refused.
#include <cstdint>
#include <string>
#include <vector>

namespace nms::capture {

struct InterfaceInfo {
    std::string name;
    uint32_t index = 0;
    bool up = false;          // IFF_UP (administratively up)
    bool running = false;     // IFF_RUNNING (carrier)
    std::string mac;          // "aa:bb:cc:dd:ee:ff"; empty when the link has no address
    uint32_t mtu = 0;
    uint16_t arphrd = 0;      // ARPHRD_* from SIOCGIFHWADDR
    std::string link_type;    // "ethernet", "loopback", "none", "ppp", or "arphrd-N"
    int64_t speed_mbps = -1;  // /sys/class/net/X/speed; -1 when unknown (virtual links, link down)
};

std::vector<InterfaceInfo> list_interfaces();
// One line per interface, aligned columns, with a header line.
std::string format_interfaces(const std::vector<InterfaceInfo>& interfaces);

}  // namespace nms::capture
