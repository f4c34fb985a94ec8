#include "devices/local_nets.hpp"

#include <charconv>

#include "common/bytes.hpp"

namespace nms::devices {

LocalNets::LocalNets(const std::vector<std::string>& cidrs, bool empty_is_defaults) {
    static const std::vector<std::string> kDefaults = {"10.0.0.0/8",     "172.16.0.0/12", "192.168.0.0/16",
                                                       "169.254.0.0/16", "fc00::/7",      "fe80::/10"};
    for (const std::string& c : cidrs.empty() && empty_is_defaults ? kDefaults : cidrs) {
        const size_t slash = c.find('/');
        if (slash == std::string::npos) continue;
        const auto ip = IpAddr::parse(std::string_view(c).substr(0, slash));
        unsigned bits = 0;
        const auto r = std::from_chars(c.data() + slash + 1, c.data() + c.size(), bits);
        if (!ip || r.ec != std::errc() || bits > (ip->is_v4() ? 32u : 128u)) continue;
        const unsigned total = ip->is_v4() ? bits + 96 : bits;
        Net n;
        n.mask_hi = total >= 64 ? ~uint64_t{0} : (total == 0 ? 0 : ~uint64_t{0} << (64 - total));
        n.mask_lo = total <= 64 ? 0 : (total >= 128 ? ~uint64_t{0} : ~uint64_t{0} << (128 - total));
        n.hi = load_be64(ip->bytes.data()) & n.mask_hi;
        n.lo = load_be64(ip->bytes.data() + 8) & n.mask_lo;
        nets_.push_back(n);
    }
}

bool LocalNets::contains(const IpAddr& ip) const noexcept {
    const uint64_t hi = load_be64(ip.bytes.data());
    const uint64_t lo = load_be64(ip.bytes.data() + 8);
    for (const Net& n : nets_)
        if ((hi & n.mask_hi) == n.hi && (lo & n.mask_lo) == n.lo) return true;
    return false;
}

}  // namespace nms::devices
