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
    // the defaults (RFC 1918, fc00::/7, 169.254/16, fe80::/10) unless `empty_is_defaults` is
    // false (then it matches nothing: allowlists and suppressions reuse this matcher).
    explicit LocalNets(const std::vector<std::string>& cidrs = {}, bool empty_is_defaults = true);
    [[nodiscard]] bool contains(const IpAddr& ip) const noexcept;
    [[nodiscard]] size_t size() const noexcept { return nets_.size(); }
    [[nodiscard]] bool empty() const noexcept { return nets_.empty(); }

 private:
    // A prefix over the 128-bit IpAddr (IPv4 prefixes + 96) as two masked 64-bit words: the
    // test runs for every packet, so it is two ANDs and two compares per network.
    struct Net {
        uint64_t hi = 0, lo = 0;            // network address, big-endian halves
        uint64_t mask_hi = 0, mask_lo = 0;
    };
    std::vector<Net> nets_;
};

}  // namespace nms::devices
