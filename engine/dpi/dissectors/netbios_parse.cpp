#include "dpi/dissectors/netbios_parse.hpp"

#include "dpi/dissectors/dns_parse.hpp"

namespace nms::dpi::netbios {

bool decode_name(ByteView enc, NbName& out) noexcept {
    out = NbName{};
    if (enc.size < 32) return false;
    char raw[16];
    for (size_t i = 0; i < 16; ++i) {
        const uint8_t hi = enc.u8(2 * i), lo = enc.u8(2 * i + 1);
        if (hi < 'A' || hi > 'P' || lo < 'A' || lo > 'P') return false;
        raw[i] = static_cast<char>(((hi - 'A') << 4) | (lo - 'A'));
    }
    out.suffix = static_cast<uint8_t>(raw[15]);
    size_t n = 15;
    while (n > 0 && (raw[n - 1] == ' ' || raw[n - 1] == '\0')) --n;
    for (size_t i = 0; i < n; ++i) out.name[i] = raw[i];
    out.len = static_cast<uint8_t>(n);
    out.ok = true;
    return true;
}

bool read_plain_name(ByteView msg, size_t off, NbName& out, size_t& next) noexcept {
    if (!msg.has(off, 1)) return false;
    const uint8_t l = msg.u8(off);
    if (l != 32 || !msg.has(off + 1, 32) || !decode_name(msg.sub(off + 1, 32), out)) return false;
    size_t pos = off + 33;
    for (int labels = 0; labels < 64; ++labels) {  // scope id labels
        if (!msg.has(pos, 1)) return false;
        const uint8_t sl = msg.u8(pos);
        if (sl == 0) {
            next = pos + 1;
            return true;
        }
        if (sl & 0xc0) return false;
        pos += 1 + size_t{sl};
    }
    return false;
}

namespace {
bool name_from_dns(ByteView msg, size_t off, NbName& out, size_t& next) noexcept {
    dns::Name n;
    if (dns::read_name(msg, off, n, next) != dns::NameStatus::kOk) return false;
    return decode_name(n.view(), out);
}
}  // namespace

bool parse_nbns(ByteView msg, Nbns& out) noexcept {
    dns::Header h;
    if (!dns::parse_header(msg, h)) return false;
    out = Nbns{};
    out.id = h.id;
    out.opcode = h.opcode();
    out.response = h.qr();
    out.broadcast = h.flags & 0x0010;
    out.rcode = h.rcode();
    if (h.qdcount > 1 || h.ancount > 1 || h.nscount > 1 || h.arcount > 1) return false;
    size_t off = dns::kHeaderBytes;
    size_t next = 0;
    if (h.qdcount == 1) {
        if (!name_from_dns(msg, off, out.name, next) || !msg.has(next, 4)) return false;
        out.qtype = msg.be16(next);
        off = next + 4;
    }
    // The answer (responses) or additional record (registrations) holds the NB address.
    if (h.ancount + h.nscount + h.arcount > 0) {
        NbName rr_name;
        if (!name_from_dns(msg, off, rr_name, next) || !msg.has(next, 10)) return h.qdcount == 1;
        if (!out.name.ok) out.name = rr_name;
        const uint16_t type = msg.be16(next);
        const uint16_t rdlen = msg.be16(next + 8);
        if (h.qdcount == 0) out.qtype = type;
        if (type == 0x20 && rdlen >= 6 && msg.has(next + 10, 6)) {
            out.addr = msg.be32(next + 12);
            out.has_addr = true;
        }
    }
    return out.name.ok;
}

std::string_view nbns_opcode_name(uint8_t op) noexcept {
    switch (op) {
        case 0: return "query";
        case 5: return "registration";
        case 6: return "release";
        case 7: return "wack";
        case 8: case 9: return "refresh";
        case 15: return "multi-homed registration";
        default: return "unknown";
    }
}

bool parse_nbdgm(ByteView msg, Nbdgm& out) noexcept {
    out = Nbdgm{};
    if (!msg.has(0, 10)) return false;
    out.msg_type = msg.u8(0);
    if (out.msg_type < 0x10 || out.msg_type > 0x16) return false;
    out.id = msg.be16(2);
    out.src_ip = msg.be32(4);
    out.src_port = msg.be16(8);
    size_t next = 0;
    if (out.msg_type <= 0x12) {
        if (!msg.has(10, 4)) return false;
        return read_plain_name(msg, 14, out.source, next) && read_plain_name(msg, next, out.destination, next);
    }
    if (out.msg_type == 0x13) return msg.has(10, 1);
    return read_plain_name(msg, 10, out.destination, next);
}

std::string_view nbdgm_type_name(uint8_t t) noexcept {
    switch (t) {
        case 0x10: return "direct_unique";
        case 0x11: return "direct_group";
        case 0x12: return "broadcast";
        case 0x13: return "error";
        case 0x14: return "query_request";
        case 0x15: return "positive_query_response";
        case 0x16: return "negative_query_response";
        default: return "unknown";
    }
}

bool parse_nbss(ByteView data, Nbss& out) noexcept {
    out = Nbss{};
    if (!data.has(0, 4)) return false;
    out.type = data.u8(0);
    if (data.u8(1) & 0xfe) return false;  // only the length extension bit is defined
    out.length = (uint32_t{data.u8(1)} << 16) | data.be16(2);
    switch (out.type) {
        case 0x00: return true;
        case 0x81: {
            if (out.length < 68) return false;
            size_t next = 0;
            const ByteView body = data.sub(4, out.length);
            return read_plain_name(body, 0, out.called, next) && read_plain_name(body, next, out.calling, next);
        }
        case 0x82: case 0x85: return out.length == 0;
        case 0x83: return out.length == 1;
        case 0x84: return out.length == 6;
        default: return false;
    }
}

std::string_view nbss_type_name(uint8_t t) noexcept {
    switch (t) {
        case 0x00: return "session_message";
        case 0x81: return "session_request";
        case 0x82: return "positive_response";
        case 0x83: return "negative_response";
        case 0x84: return "retarget_response";
        case 0x85: return "keepalive";
        default: return "unknown";
    }
}

bool is_smb(ByteView p) noexcept {
    return p.size >= 4 && (p.u8(0) == 0xff || p.u8(0) == 0xfe || p.u8(0) == 0xfd) && p.u8(1) == 'S' &&
           p.u8(2) == 'M' && p.u8(3) == 'B';
}

}  // namespace nms::dpi::netbios
