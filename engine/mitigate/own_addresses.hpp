#pragma once
// This host's own addresses (every interface, IPv4 and IPv6), read once with getifaddrs:
// mitigation never bans them.
#include <vector>

#include "common/ip_addr.hpp"

namespace nms::mitigate {

std::vector<IpAddr> own_addresses();

}  // namespace nms::mitigate
