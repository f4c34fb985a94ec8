#pragma once
// MAC address helpers shared by the device modules.
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace nms::devices {

using Mac = std::array<uint8_t, 6>;

inline Mac mac_from(const uint8_t* p) noexcept {
    Mac m;
    std::memcpy(m.data(), p, 6);
    return m;
}
// I/G bit: group (multicast/broadcast) address.
inline bool mac_is_multicast(const Mac& m) noexcept { return (m[0] & 0x01) != 0; }
// U/L bit: locally administered (randomised phones, VMs, containers): no IEEE vendor.
inline bool mac_is_local_admin(const Mac& m) noexcept { return (m[0] & 0x02) != 0; }
inline bool mac_is_zero(const Mac& m) noexcept { return (m[0] | m[1] | m[2] | m[3] | m[4] | m[5]) == 0; }

// "00:11:22:aa:bb:cc"
std::string mac_to_string(const Mac& m);
// Accepts "00:11:22:aa:bb:cc" or "00-11-22-AA-BB-CC".
std::optional<Mac> mac_parse(std::string_view text) noexcept;

}  // namespace nms::devices
