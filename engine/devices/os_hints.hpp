#pragma once
// OS hints from what devices say about themselves: DHCP (option 55 parameter request list,
// option 60 vendor class), HTTP User-Agent and LLDP/CDP system descriptions. Stats-thread code (may allocate).
//
// The DHCP table is a small built-in list of well-known fingerprints (the shapes published
// by fingerbank.org and in many DHCP fingerprinting write-ups), not a complete database:
// an unknown list simply gives no hint.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nms::devices {

struct OsHint {
    std::string os_class;   // p0f classes: "win", "unix", "other"
    std::string name;       // "Windows", "Mac OS X", "iOS", "Android", "Linux"
    std::string flavor;     // "10", "10.15", "" when unknown
    uint8_t confidence = 0; // 0..100
    [[nodiscard]] std::string text() const { return flavor.empty() ? name : name + " " + flavor; }
};

std::optional<OsHint> os_from_dhcp_fingerprint(std::string_view option55);
std::optional<OsHint> os_from_dhcp_vendor_class(std::string_view vendor_class);
std::optional<OsHint> os_from_user_agent(std::string_view ua);
// LLDP system description / CDP software version (first line), e.g. "Cisco IOS Software, ...".
std::optional<OsHint> os_from_l2_description(std::string_view description);

}  // namespace nms::devices
