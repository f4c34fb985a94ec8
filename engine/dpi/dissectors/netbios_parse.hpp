#pragma once
// Pure NetBIOS-over-TCP/IP parsing (RFC 1001/1002): NBNS (UDP 137, DNS-like), NBDGM (UDP 138)
// and NBSS (TCP 139) headers and first-level encoded names. No state, no allocation.
#include <cstdint>
#include <string_view>

#include "common/bytes.hpp"

namespace nms::dpi::netbios {

// A decoded NetBIOS name: up to 15 characters (trailing spaces dropped) and the suffix byte
// (service type: 0x00 workstation, 0x20 server, 0x1d master browser, ...).
struct NbName {
    char name[16] = {};
    uint8_t len = 0;
    uint8_t suffix = 0;
    bool ok = false;
    [[nodiscard]] std::string_view str() const noexcept { return {name, len}; }
};
// Decodes the 32-character first-level encoding ('A'..'P' nibbles) at the start of `enc`.
bool decode_name(ByteView enc, NbName& out) noexcept;
// Reads a length-prefixed encoded name (0x20 + 32 chars + scope labels + 0) at `off` of a
// message without compression (NBDGM, NBSS); `next` = offset past it.
bool read_plain_name(ByteView msg, size_t off, NbName& out, size_t& next) noexcept;

struct Nbns {
    uint16_t id = 0;
    uint8_t opcode = 0;      // 0 query, 5 registration, 6 release, 7 WACK, 8/9 refresh
    bool response = false;
    bool broadcast = false;
    uint8_t rcode = 0;
    uint16_t qtype = 0;      // 0x20 NB, 0x21 NBSTAT
    NbName name;             // question name, or the first answer's for responses
    uint32_t addr = 0;       // NB address of a registration or positive response (host order)
    bool has_addr = false;
};
bool parse_nbns(ByteView msg, Nbns& out) noexcept;
std::string_view nbns_opcode_name(uint8_t op) noexcept;

struct Nbdgm {
    uint8_t msg_type = 0;    // 0x10..0x16
    uint16_t id = 0;
    uint32_t src_ip = 0;
    uint16_t src_port = 0;
    NbName source, destination;  // datagram types 0x10..0x12; destination also for 0x14..0x16
};
bool parse_nbdgm(ByteView msg, Nbdgm& out) noexcept;
std::string_view nbdgm_type_name(uint8_t t) noexcept;

struct Nbss {
    uint8_t type = 0;        // 0x00 message, 0x81 request, 0x82/0x83 responses, 0x84 retarget, 0x85 keepalive
    uint32_t length = 0;     // 17 bits
    NbName called, calling;  // session request
};
// Header (and names for a session request) of the NBSS packet at the start of `data`.
bool parse_nbss(ByteView data, Nbss& out) noexcept;
std::string_view nbss_type_name(uint8_t t) noexcept;
// Whether `payload` starts with an SMB1/2/3 header (that traffic belongs to the SMB dissector).
bool is_smb(ByteView payload) noexcept;

}  // namespace nms::dpi::netbios
