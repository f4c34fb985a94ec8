#pragma once
// LocalNets: the CIDRs whose hosts are "ours" (devices per MAC); everything else is remote.
#include <cstdint>
#include <string>
#include <vector>

#include "common/ip_addr.hpp"

namespace nms::devices {

class LocalNets {
 public:
    // Invalid entries are skipped (config validation already rejected them); empty list =
    // the defaults (RFC 1918, fc00::/7, 169.254/16, fe80::/10).
    explicit LocalNets(const std::vector<std::string>& cidrs = {});
    [[nodiscard]] bool contains(const IpAddr& ip) const noexcept;
    [[nodiscard]] size_t size() const noexcept { return nets_.size(); }

 private:
    struct Net {
        IpAddr base;
        uint8_t bits = 0;  // over the 128-bit IpAddr (IPv4 prefixes + 96)
    };
    std::vector<Net> nets_;
};

}  // namespace nms::devices
