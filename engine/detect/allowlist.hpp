#pragma once
// Allowlist: addresses (CIDRs) and MACs a detector must not alert on as a source.
#include <string>
#include <string_view>
#include <vector>

#include "common/ip_addr.hpp"
#include "devices/local_nets.hpp"
#include "devices/mac.hpp"

namespace nms::detect {

class Allowlist {
 public:
    Allowlist() : nets_({}, false) {}
    Allowlist(const std::vector<std::string>& cidrs, const std::vector<std::string>& macs) : nets_(cidrs, false) {
        for (const auto& m : macs)
            if (auto parsed = devices::mac_parse(m)) macs_.push_back(devices::mac_to_string(*parsed));
    }
    [[nodiscard]] bool contains_ip(const IpAddr& ip) const noexcept { return !nets_.empty() && nets_.contains(ip); }
    // `mac` as Alert::src_mac prints it ("aa:bb:..", lower case).
    [[nodiscard]] bool contains_mac(std::string_view mac) const noexcept {
        for (const auto& m : macs_)
            if (m == mac) return true;
        return false;
    }
    [[nodiscard]] bool empty() const noexcept { return nets_.empty() && macs_.empty(); }

 private:
    devices::LocalNets nets_;
    std::vector<std::string> macs_;
};

}  // namespace nms::detect
