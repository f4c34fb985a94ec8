#include "mitigate/own_addresses.hpp"

#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>

namespace nms::mitigate {

std::vector<IpAddr> own_addresses() {
    std::vector<IpAddr> out;
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return out;
    for (const ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
        if (i->ifa_addr == nullptr) continue;
        if (i->ifa_addr->sa_family == AF_INET) {
            const auto* sin = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
            out.push_back(IpAddr::from_v4(reinterpret_cast<const uint8_t*>(&sin->sin_addr)));
        } else if (i->ifa_addr->sa_family == AF_INET6) {
            const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(i->ifa_addr);
            out.push_back(IpAddr::from_v6(reinterpret_cast<const uint8_t*>(&sin6->sin6_addr)));
        }
    }
    ::freeifaddrs(list);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

}  // namespace nms::mitigate
