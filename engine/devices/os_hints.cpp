#include "devices/os_hints.hpp"

namespace nms::devices {
namespace {

// Confidence: a DHCP request list is written by the OS's own client and rarely faked; a
// vendor class is a bit coarser; a User-Agent is an application's claim (and may be a proxy).
constexpr uint8_t kDhcpFpConfidence = 80;
constexpr uint8_t kVendorClassConfidence = 70;
constexpr uint8_t kUaConfidence = 60;
// LLDP/CDP is the device's own firmware announcing itself: as strong as a vendor class.
constexpr uint8_t kL2Confidence = 70;

struct DhcpFp {
    std::string_view list;
    std::string_view os_class, name, flavor;
};

constexpr DhcpFp kDhcpFps[] = {
    {"1,3,6,15,31,33,43,44,46,47,119,121,249,252", "win", "Windows", "10"},
    {"1,3,6,15,31,33,43,44,46,47,121,249,252", "win", "Windows", "8"},
    {"1,15,3,6,44,46,47,31,33,121,249,43,252", "win", "Windows", "7 or 8"},
    {"1,15,3,6,44,46,47,31,33,121,249,43", "win", "Windows", "7"},
    {"1,15,3,6,44,46,47,31,33,249,43", "win", "Windows", "XP"},
    {"1,15,3,6,44,46,47,31,33,249,43,252", "win", "Windows", "XP"},
    {"1,121,3,6,15,114,119,252,95,44,46", "unix", "Mac OS X", "10.15 or newer"},
    {"1,121,3,6,15,119,252,95,44,46", "unix", "Mac OS X", ""},
    {"1,3,6,15,119,95,252,44,46,101", "unix", "Mac OS X", "10.5-10.6"},
    {"1,121,3,6,15,119,252", "unix", "iOS", ""},
    {"1,121,3,6,15,108,114,119,252", "unix", "iOS", "16 or newer"},
    {"1,3,6,15,119,252", "unix", "iOS", ""},
    {"1,3,6,15,26,28,51,58,59,43", "unix", "Android", ""},
    {"1,3,6,15,26,28,51,58,59,43,114", "unix", "Android", "10 or newer"},
    {"1,3,6,15,26,28,51,58,59", "unix", "Android", ""},
    {"1,33,3,6,15,28,51,58,59", "unix", "Android", ""},
    {"1,28,2,3,15,6,119,12,44,47,26,121,42", "unix", "Linux", "(dhclient)"},
    {"1,28,2,3,15,6,12,40,41,42", "unix", "Linux", "(dhclient)"},
    {"1,3,6,12,15,28,42", "unix", "Linux", "(udhcpc)"},
    {"1,3,6,12,15,28,40,41,42", "unix", "Linux", "(dhclient)"},
    {"1,121,33,3,6,12,15,28,51,58,59,119", "unix", "Linux", "(dhcpcd)"},
    {"1,3,6,12,15,17,23,28,29,31,33,40,41,42,119,121", "unix", "Linux", "(systemd-networkd)"},
};

bool contains(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

std::string version_after(std::string_view s, std::string_view key, size_t max_parts) {
    const size_t at = s.find(key);
    if (at == std::string_view::npos) return {};
    std::string out;
    size_t parts = 1;
    for (size_t i = at + key.size(); i < s.size(); ++i) {
        const char c = s[i];
        if (c >= '0' && c <= '9') {
            out.push_back(c);
        } else if ((c == '.' || c == '_') && !out.empty() && parts < max_parts && i + 1 < s.size() &&
                   s[i + 1] >= '0' && s[i + 1] <= '9') {
            out.push_back('.');
            ++parts;
        } else {
            break;
        }
    }
    return out;
}

}  // namespace

std::optional<OsHint> os_from_dhcp_fingerprint(std::string_view list) {
    for (const auto& fp : kDhcpFps)
        if (fp.list == list)
            return OsHint{std::string(fp.os_class), std::string(fp.name), std::string(fp.flavor), kDhcpFpConfidence};
    return std::nullopt;
}

std::optional<OsHint> os_from_dhcp_vendor_class(std::string_view vc) {
    if (vc.starts_with("MSFT 5.0")) return OsHint{"win", "Windows", "", kVendorClassConfidence};
    if (vc.starts_with("MSFT 98")) return OsHint{"win", "Windows", "98", kVendorClassConfidence};
    if (vc.starts_with("android-dhcp-")) {
        std::string v = version_after(vc, "android-dhcp-", 2);
        return OsHint{"unix", "Android", v, kVendorClassConfidence};
    }
    if (vc.starts_with("dhcpcd-") && contains(vc, "Linux")) return OsHint{"unix", "Linux", "", kVendorClassConfidence};
    if (vc.starts_with("udhcp")) return OsHint{"unix", "Linux", "(embedded)", kVendorClassConfidence};
    return std::nullopt;
}

std::optional<OsHint> os_from_user_agent(std::string_view ua) {
    // Order matters: Android UAs say "Linux", iPhone UAs say "like Mac OS X".
    if (contains(ua, "Windows NT ")) {
        const std::string v = version_after(ua, "Windows NT ", 2);
        std::string flavor = v;
        if (v == "10.0") flavor = "10 or 11";
        else if (v == "6.3") flavor = "8.1";
        else if (v == "6.2") flavor = "8";
        else if (v == "6.1") flavor = "7";
        else if (v == "6.0") flavor = "Vista";
        else if (v == "5.1" || v == "5.2") flavor = "XP";
        return OsHint{"win", "Windows", flavor, kUaConfidence};
    }
    if (contains(ua, "Android")) return OsHint{"unix", "Android", version_after(ua, "Android ", 2), kUaConfidence};
    if (contains(ua, "iPhone OS ") || contains(ua, "iPad; CPU OS ")) {
        const std::string v = version_after(ua, contains(ua, "iPhone OS ") ? "iPhone OS " : "CPU OS ", 2);
        return OsHint{"unix", "iOS", v, kUaConfidence};
    }
    if (contains(ua, "Mac OS X")) return OsHint{"unix", "Mac OS X", version_after(ua, "Mac OS X ", 2), kUaConfidence};
    if (contains(ua, "CrOS")) return OsHint{"unix", "Chrome OS", "", kUaConfidence};
    if (contains(ua, "Linux")) return OsHint{"unix", "Linux", "", kUaConfidence};
    return std::nullopt;
}

std::optional<OsHint> os_from_l2_description(std::string_view d) {
    // Most specific first: NX-OS and IOS XE descriptions also say "Cisco IOS".
    struct Known {
        std::string_view needle, os_class, name;
    };
    static constexpr Known kKnown[] = {
        {"NX-OS", "other", "Cisco NX-OS"}, {"IOS XE", "other", "Cisco IOS XE"}, {"IOS-XE", "other", "Cisco IOS XE"},
        {"IOS XR", "other", "Cisco IOS XR"}, {"Cisco IOS", "other", "Cisco IOS"},
        {"Cisco Internetwork Operating System", "other", "Cisco IOS"}, {"JUNOS", "other", "Junos"},
        {"Junos", "other", "Junos"},         {"Arista", "other", "Arista EOS"},    {"RouterOS", "other", "RouterOS"},
        {"FreeBSD", "unix", "FreeBSD"},      {"Windows", "win", "Windows"},        {"Linux", "unix", "Linux"},
    };
    for (const auto& k : kKnown)
        if (contains(d, k.needle)) return OsHint{std::string(k.os_class), std::string(k.name), "", kL2Confidence};
    return std::nullopt;
}

}  // namespace nms::devices
