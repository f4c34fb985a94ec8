#include "dpi/dissectors/dns_parse.hpp"

namespace nms::dpi::dns {

bool parse_header(ByteView msg, Header& h) noexcept {
    if (!msg.has(0, kHeaderBytes)) return false;
    h.id = msg.be16(0);
    h.flags = msg.be16(2);
    h.qdcount = msg.be16(4);
    h.ancount = msg.be16(6);
    h.nscount = msg.be16(8);
    h.arcount = msg.be16(10);
    return true;
}

NameStatus read_name(ByteView msg, size_t off, Name& out, size_t& next) noexcept {
    out.len = 0;
    size_t pos = off;
    size_t run_start = off;  // a pointer must land strictly before the run it interrupts
    bool jumped = false;
    bool too_long = false;
    int hops = 0;
    for (;;) {
        if (pos >= msg.size) return NameStatus::kTruncated;
        const uint8_t l = msg.u8(pos);
        if ((l & 0xc0) == 0xc0) {
            if (pos + 1 >= msg.size) return NameStatus::kTruncated;
            const size_t target = (size_t{l & 0x3fu} << 8) | msg.u8(pos + 1);
            if (!jumped) next = pos + 2;
            if (target >= run_start || ++hops > kMaxHops) return NameStatus::kBadPointer;
            jumped = true;
            run_start = target;
            pos = target;
            continue;
        }
        if (l & 0xc0) return NameStatus::kBadLabel;
        if (l == 0) {
            if (!jumped) next = pos + 1;
            return too_long ? NameStatus::kTooLong : NameStatus::kOk;
        }
        if (!msg.has(pos + 1, l)) return NameStatus::kTruncated;
        const size_t need = (out.len ? 1u : 0u) + l;
        if (!too_long && out.len + need <= kMaxNameBytes) {
            if (out.len) out.buf[out.len++] = '.';
            std::memcpy(out.buf + out.len, msg.data + pos + 1, l);
            out.len = static_cast<uint8_t>(out.len + l);
        } else {
            too_long = true;
        }
        pos += 1 + size_t{l};
    }
}

bool read_question(ByteView msg, size_t& off, Question& q) noexcept {
    size_t next = 0;
    q.status = read_name(msg, off, q.name, next);
    if (q.status != NameStatus::kOk && q.status != NameStatus::kTooLong) return false;
    if (!msg.has(next, 4)) return false;
    q.qtype = msg.be16(next);
    q.qclass = msg.be16(next + 2);
    off = next + 4;
    return true;
}

bool read_rr(ByteView msg, size_t& off, ResourceRecord& rr) noexcept {
    size_t next = 0;
    rr.status = read_name(msg, off, rr.name, next);
    if (rr.status != NameStatus::kOk && rr.status != NameStatus::kTooLong) return false;
    if (!msg.has(next, 10)) return false;
    rr.type = msg.be16(next);
    rr.rclass = msg.be16(next + 2);
    rr.ttl = msg.be32(next + 4);
    rr.rdlen = msg.be16(next + 8);
    rr.rdata_off = next + 10;
    if (!msg.has(rr.rdata_off, rr.rdlen)) return false;
    off = rr.rdata_off + rr.rdlen;
    return true;
}

bool rdata_name(ByteView msg, const ResourceRecord& rr, Name& out) noexcept {
    size_t skip = 0;
    switch (rr.type) {
        case 2: case 5: case 6: case 12: case 39: skip = 0; break;  // NS CNAME SOA PTR DNAME
        case 15: skip = 2; break;                                   // MX
        case 33: skip = 6; break;                                   // SRV
        default: return false;
    }
    if (rr.rdlen < skip + 1) return false;
    // The name may point back into the message, but must start inside the rdata.
    size_t next = 0;
    const NameStatus st = read_name(msg, rr.rdata_off + skip, out, next);
    return (st == NameStatus::kOk || st == NameStatus::kTooLong) && next <= rr.rdata_off + rr.rdlen;
}

std::string_view type_name(uint16_t t) noexcept {
    switch (t) {
        case 1: return "A";
        case 2: return "NS";
        case 5: return "CNAME";
        case 6: return "SOA";
        case 10: return "NULL";
        case 11: return "WKS";
        case 12: return "PTR";
        case 13: return "HINFO";
        case 14: return "MINFO";
        case 15: return "MX";
        case 16: return "TXT";
        case 17: return "RP";
        case 18: return "AFSDB";
        case 24: return "SIG";
        case 25: return "KEY";
        case 28: return "AAAA";
        case 29: return "LOC";
        case 33: return "SRV";
        case 35: return "NAPTR";
        case 36: return "KX";
        case 37: return "CERT";
        case 38: return "A6";
        case 39: return "DNAME";
        case 41: return "OPT";
        case 42: return "APL";
        case 43: return "DS";
        case 44: return "SSHFP";
        case 45: return "IPSECKEY";
        case 46: return "RRSIG";
        case 47: return "NSEC";
        case 48: return "DNSKEY";
        case 49: return "DHCID";
        case 50: return "NSEC3";
        case 51: return "NSEC3PARAM";
        case 52: return "TLSA";
        case 53: return "SMIMEA";
        case 55: return "HIP";
        case 59: return "CDS";
        case 60: return "CDNSKEY";
        case 61: return "OPENPGPKEY";
        case 62: return "CSYNC";
        case 63: return "ZONEMD";
        case 64: return "SVCB";
        case 65: return "HTTPS";
        case 99: return "SPF";
        case 249: return "TKEY";
        case 250: return "TSIG";
        case 251: return "IXFR";
        case 252: return "AXFR";
        case 255: return "ANY";
        case 256: return "URI";
        case 257: return "CAA";
        case 32768: return "TA";
        case 32769: return "DLV";
        default: return {};
    }
}

std::string_view rcode_name(uint8_t rc) noexcept {
    static constexpr std::string_view kNames[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
                                                  "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE"};
    return rc < std::size(kNames) ? kNames[rc] : std::string_view{};
}

bool looks_like_dns(ByteView msg, bool strict) noexcept {
    Header h;
    if (!parse_header(msg, h)) return false;
    const uint8_t op = h.opcode();
    if (op == 3 || op > 6) return false;
    if (h.qdcount > 16 || uint32_t{h.ancount} + h.nscount + h.arcount > 512) return false;
    size_t off = kHeaderBytes;
    if (strict) {
        if (h.qdcount != 1 || h.z() || op != 0) return false;
        Question q;
        if (!read_question(msg, off, q) || q.status != NameStatus::kOk) return false;
        const uint16_t cls = q.qclass & 0x7fff;
        if (cls != 1 && cls != 3 && cls != 255) return false;
        if (type_name(q.qtype).empty()) return false;
        // Requests carry no answers; anything after the question must parse as records.
        for (uint32_t i = 0; i < uint32_t{h.ancount} + h.nscount + h.arcount; ++i) {
            ResourceRecord rr;
            if (!read_rr(msg, off, rr)) return false;
        }
        return off == msg.size;
    }
    if (h.qdcount == 0) {
        if (h.ancount + h.nscount + h.arcount == 0) return false;
        ResourceRecord rr;
        return read_rr(msg, off, rr);
    }
    Question q;
    return read_question(msg, off, q);
}

}  // namespace nms::dpi::dns
