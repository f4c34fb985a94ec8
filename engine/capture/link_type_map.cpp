#include "capture/link_type_map.hpp"

#include <pcap/pcap.h>

namespace nms::capture {

std::optional<decode::LinkType> link_type_from_dlt(int dlt) noexcept {
    using decode::LinkType;
    switch (dlt) {
        case DLT_NULL: return LinkType::kNull;
        case DLT_EN10MB: return LinkType::kEthernet;
        case DLT_PPP: return LinkType::kPpp;
        case DLT_PPP_SERIAL: return LinkType::kPppHdlc;
        case DLT_RAW:   // 12 on Linux; libpcap maps the file value LINKTYPE_RAW (101) to it
        case 101: return LinkType::kRaw;
        case DLT_LOOP: return LinkType::kLoop;
        case DLT_LINUX_SLL: return LinkType::kLinuxSll;
        case DLT_IPV4: return LinkType::kIpv4;
        case DLT_IPV6: return LinkType::kIpv6;
        case DLT_LINUX_SLL2: return LinkType::kLinuxSll2;
        default: return std::nullopt;
    }
}

}  // namespace nms::capture
