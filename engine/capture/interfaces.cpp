#include "capture/interfaces.hpp"

#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace nms::capture {
namespace {

std::string link_type_name(uint16_t arphrd) {
    switch (arphrd) {
        case ARPHRD_ETHER: return "ethernet";
        case ARPHRD_LOOPBACK: return "loopback";
        case ARPHRD_NONE: return "none";
        case ARPHRD_PPP: return "ppp";
        case ARPHRD_IEEE80211_RADIOTAP: return "radiotap";
        default: return "arphrd-" + std::to_string(arphrd);
    }
}

int64_t read_speed(const std::string& name) {
    std::ifstream in("/sys/class/net/" + name + "/speed");
    long long speed = -1;
    if (!(in >> speed) || speed <= 0) return -1;   // reading fails (EINVAL) on links without one
    return speed;
}

bool fill_request(ifreq& ifr, const std::string& name) {
    if (name.size() >= IFNAMSIZ) return false;
    std::memset(&ifr, 0, sizeof(ifr));
    std::memcpy(ifr.ifr_name, name.c_str(), name.size());
    return true;
}

}  // namespace

std::vector<InterfaceInfo> list_interfaces() {
    std::vector<InterfaceInfo> out;
    struct if_nameindex* names = if_nameindex();
    if (names == nullptr) return out;
    const int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    for (const struct if_nameindex* it = names; it->if_index != 0 && it->if_name != nullptr; ++it) {
        InterfaceInfo info;
        info.name = it->if_name;
        info.index = it->if_index;
        ifreq ifr{};
        if (sock >= 0 && fill_request(ifr, info.name)) {
            if (ioctl(sock, SIOCGIFFLAGS, &ifr) == 0) {
                info.up = (ifr.ifr_flags & IFF_UP) != 0;
                info.running = (ifr.ifr_flags & IFF_RUNNING) != 0;
            }
            fill_request(ifr, info.name);
            if (ioctl(sock, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0) info.mtu = static_cast<uint32_t>(ifr.ifr_mtu);
            fill_request(ifr, info.name);
            if (ioctl(sock, SIOCGIFHWADDR, &ifr) == 0) {
                info.arphrd = ifr.ifr_hwaddr.sa_family;
                if (info.arphrd == ARPHRD_ETHER || info.arphrd == ARPHRD_LOOPBACK) {
                    const auto* m = reinterpret_cast<const unsigned char*>(ifr.ifr_hwaddr.sa_data);
                    char buf[18];
                    std::snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
                                  m[5]);
                    info.mac = buf;
                }
            }
        }
        info.link_type = link_type_name(info.arphrd);
        info.speed_mbps = read_speed(info.name);
        out.push_back(std::move(info));
    }
    if (sock >= 0) close(sock);
    if_freenameindex(names);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
    return out;
}

std::string format_interfaces(const std::vector<InterfaceInfo>& interfaces) {
    size_t width = 9;
    for (const auto& i : interfaces) width = std::max(width, i.name.size());
    std::string out;
    char line[256];
    std::snprintf(line, sizeof(line), "%-*s %5s  %-13s  %-17s  %6s  %-9s  %s\n", static_cast<int>(width), "INTERFACE",
                  "INDEX", "STATE", "MAC", "MTU", "LINK", "SPEED");
    out += line;
    for (const auto& i : interfaces) {
        const std::string speed = i.speed_mbps > 0 ? std::to_string(i.speed_mbps) + " Mb/s" : "-";
        const char* state = !i.up ? "down" : (i.running ? "up" : "up/no-carrier");
        std::snprintf(line, sizeof(line), "%-*s %5u  %-13s  %-17s  %6u  %-9s  %s\n", static_cast<int>(width),
                      i.name.c_str(), i.index, state, i.mac.empty() ? "-" : i.mac.c_str(), i.mtu,
                      i.link_type.c_str(), speed.c_str());
        out += line;
    }
    return out;
}

}  // namespace nms::capture
