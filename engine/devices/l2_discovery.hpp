#pragma once
// LLDP (IEEE 802.1AB, ethertype 0x88cc) and CDP (Cisco, 802.3 + LLC/SNAP 00000c/0x2000)
// announcements: what a switch, router, phone or AP says about itself. Pure parsing into
// fixed buffers: runs on the worker, no allocation, every read bounds-checked.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/bytes.hpp"

namespace nms::devices {

template <size_t N>
struct FixedText {
    char buf[N]{};
    uint16_t len = 0;
    void set(std::string_view s) noexcept {
        len = static_cast<uint16_t>(s.size() < N ? s.size() : N);
        for (size_t i = 0; i < len; ++i) {
            const auto c = static_cast<unsigned char>(s[i]);
            buf[i] = c < 0x20 || c == 0x7f ? ' ' : static_cast<char>(c);  // control bytes never reach JSON
        }
    }
    void set(ByteView v) noexcept { set(std::string_view(reinterpret_cast<const char*>(v.data), v.size)); }
    [[nodiscard]] std::string_view view() const noexcept { return {buf, len}; }
    [[nodiscard]] bool empty() const noexcept { return len == 0; }
};

struct L2Announcement {
    enum class Proto : uint8_t { kNone, kLldp, kCdp } proto = Proto::kNone;
    FixedText<64> system_name;    // LLDP system name / CDP device ID
    FixedText<64> port;           // LLDP port ID (or description) / CDP port ID
    FixedText<128> description;   // LLDP system description / CDP software version (first line)
    FixedText<64> platform;       // CDP platform
    FixedText<64> capabilities;   // "bridge,router,phone" (enabled ones)
};

// `payload` starts after the Ethernet (and VLAN) header: the LLDPDU.
bool parse_lldp(ByteView payload, L2Announcement& out) noexcept;
// `payload` starts at the LLC header (AA AA 03 00 00 0C 20 00).
bool parse_cdp(ByteView payload, L2Announcement& out) noexcept;

}  // namespace nms::devices
