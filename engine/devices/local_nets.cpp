#include "devices/local_nets.hpp"

#include <charconv>

namespace nms::devices {

LocalNets::LocalNets(const std::vector<std::string>& cidrs) {
    static const std::vector<std::string> kDefaults = {"10.0.0.0/8",     "172.16.0.0/12", "192.168.0.0/16",
                                                       "169.254.0.0/16", "fc00::/7",      "fe80::/10"};
    for (const std::string& c : cidrs.empty() ? kDefaults : cidrs) {
        const size_t slash = c.find('/');
        if (slash == std::string::npos) continue;
        const auto ip = IpAddr::parse(std::string_view(c).substr(0, slash));
        unsigned bits = 0;
        const auto r = std::from_chars(c.data() + slash + 1, c.data() + c.size(), bits);
        if (!ip || r.ec != std::errc() || bits > (ip->is_v4() ? 32u : 128u)) continue;
        Net n{*ip, static_cast<uint8_t>(ip->is_v4() ? bits + 96 : bits)};
        nets_.push_back(n);
    }
}

bool LocalNets::contains(const IpAddr& ip) const noexcept {
    for (const Net& n : nets_) {
        const size_t full = n.bits / 8, rest = n.bits % 8;
        bool ok = std::memcmp(ip.bytes.data(), n.base.bytes.data(), full) == 0;
        if (ok && rest) {
            const auto mask = static_cast<uint8_t>(0xff << (8 - rest));
            ok = (ip.bytes[full] & mask) == (n.base.bytes[full] & mask);
        }
        if (ok) return true;
    }
    return false;
}

}  // namespace nms::devices
