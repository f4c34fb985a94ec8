#pragma once
// Pure DNS message parsing (RFC 1035 wire format, also used by mDNS, LLMNR and NBNS): no
// state, no allocation, every read bounded by the message view. Names are decompressed into
// a fixed 255-byte buffer; compression pointers must point strictly before the run they
// interrupt, and at most kMaxHops are followed, so loops always terminate.
#include <cstdint>
#include <string_view>

#include "common/bytes.hpp"

namespace nms::dpi::dns {

inline constexpr size_t kHeaderBytes = 12;
inline constexpr size_t kMaxNameBytes = 255;  // text form, dots included
inline constexpr int kMaxHops = 32;

struct Header {
    uint16_t id = 0, flags = 0, qdcount = 0, ancount = 0, nscount = 0, arcount = 0;
    [[nodiscard]] bool qr() const noexcept { return flags & 0x8000; }
    [[nodiscard]] uint8_t opcode() const noexcept { return static_cast<uint8_t>((flags >> 11) & 0xf); }
    [[nodiscard]] bool aa() const noexcept { return flags & 0x0400; }
    [[nodiscard]] bool tc() const noexcept { return flags & 0x0200; }
    [[nodiscard]] bool rd() const noexcept { return flags & 0x0100; }
    [[nodiscard]] bool ra() const noexcept { return flags & 0x0080; }
    [[nodiscard]] bool z() const noexcept { return flags & 0x0040; }
    [[nodiscard]] uint8_t rcode() const noexcept { return static_cast<uint8_t>(flags & 0xf); }
};
bool parse_header(ByteView msg, Header& h) noexcept;

enum class NameStatus : uint8_t {
    kOk,
    kTooLong,     // more than kMaxNameBytes: `out` holds the first 255 bytes, `next` is valid
    kTruncated,   // ran off the end of the message
    kBadPointer,  // forward/self pointer or too many hops
    kBadLabel,    // reserved label type (0x40/0x80)
};

// A decompressed name as raw label bytes joined by '.', not escaped (render escapes).
// The root name is empty.
struct Name {
    uint8_t len = 0;
    uint8_t buf[kMaxNameBytes];
    [[nodiscard]] ByteView view() const noexcept { return {buf, len}; }
    [[nodiscard]] std::string_view str() const noexcept { return {reinterpret_cast<const char*>(buf), len}; }
};

// Reads the name at `off`; on kOk/kTooLong `next` is the offset just past it in the message.
NameStatus read_name(ByteView msg, size_t off, Name& out, size_t& next) noexcept;

struct Question {
    Name name;
    NameStatus status = NameStatus::kOk;
    uint16_t qtype = 0, qclass = 0;
};
// Reads a question at `off` and advances it; false when the message ends or the name is
// unusable (kTooLong is accepted: the name is kept truncated and status says so).
bool read_question(ByteView msg, size_t& off, Question& q) noexcept;

struct ResourceRecord {
    Name name;
    NameStatus status = NameStatus::kOk;
    uint16_t type = 0, rclass = 0;
    uint32_t ttl = 0;
    size_t rdata_off = 0;
    uint16_t rdlen = 0;
};
bool read_rr(ByteView msg, size_t& off, ResourceRecord& rr) noexcept;

// rdata of a record whose data is (or starts with) a domain name: NS, CNAME, PTR, DNAME (at
// 0), MX (after the preference), SRV (after priority/weight/port), SOA (mname).
bool rdata_name(ByteView msg, const ResourceRecord& rr, Name& out) noexcept;

// "A", "AAAA", ... or empty for a type without a mnemonic here.
std::string_view type_name(uint16_t type) noexcept;
// "NOERROR", "NXDOMAIN", ... or empty.
std::string_view rcode_name(uint8_t rcode) noexcept;

// Detection: a header and first question (or record) that parse. `strict` (unknown port)
// additionally wants one question, a known type and class and a clear Z bit.
bool looks_like_dns(ByteView msg, bool strict) noexcept;

}  // namespace nms::dpi::dns
