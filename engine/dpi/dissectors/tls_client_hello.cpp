#include "dpi/dissectors/tls_client_hello.hpp"

#include <algorithm>
#include <cstring>

#include "dpi/dissectors/tls_crypto.hpp"

namespace nms::dpi::tls {
namespace {

constexpr size_t kMaxList = 1024;   // ciphers/extensions kept for JA4 sorting (more are hashed as cut)

// Bounded cursor over a byte view: every read checks, a failed read poisons the cursor.
struct Cursor {
    ByteView v;
    size_t off = 0;
    bool ok = true;
    bool need(size_t n) noexcept {
        if (!ok || !v.has(off, n)) ok = false;
        return ok;
    }
    uint8_t u8() noexcept { return need(1) ? v.u8(off++) : 0; }
    uint16_t u16() noexcept {
        if (!need(2)) return 0;
        off += 2;
        return v.be16(off - 2);
    }
    ByteView take(size_t n) noexcept {
        if (!need(n)) return {};
        off += n;
        return v.sub(off - n, n);
    }
    [[nodiscard]] bool done() const noexcept { return !ok || off >= v.size; }
};

void ja4_version(uint16_t v, char* out) noexcept {
    const char* s = "00";
    switch (v) {
        case 0x0304: s = "13"; break;
        case 0x0303: s = "12"; break;
        case 0x0302: s = "11"; break;
        case 0x0301: s = "10"; break;
        case 0x0300: s = "s3"; break;
        case 0x0002: s = "s2"; break;
        case 0xfeff: s = "d1"; break;
        case 0xfefd: s = "d2"; break;
        case 0xfefc: s = "d3"; break;
        default: break;
    }
    out[0] = s[0];
    out[1] = s[1];
}

void put_count(char* out, size_t n) noexcept {
    if (n > 99) n = 99;
    out[0] = static_cast<char>('0' + n / 10);
    out[1] = static_cast<char>('0' + n % 10);
}

bool alnum(uint8_t c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// sha256 of the comma-joined 4-hex-digit list (+ optional "_" + second list), first 12 hex.
void ja4_hash(const uint16_t* a, size_t na, const uint16_t* b, size_t nb, char* out) noexcept {
    if (na == 0) {
        std::memset(out, '0', 12);
        return;
    }
    crypto::Digest d(crypto::Digest::kSha256);
    char buf[5];
    for (size_t i = 0; i < na; ++i) {
        TextOut t{buf, sizeof buf};
        if (i) t.put(',');
        t.put_hex4(a[i]);
        d.update(buf, t.len);
    }
    for (size_t i = 0; i < nb; ++i) {
        TextOut t{buf, sizeof buf};
        t.put(i ? ',' : '_');
        t.put_hex4(b[i]);
        d.update(buf, t.len);
    }
    uint8_t h[32];
    if (!d.final(h)) {
        std::memset(out, '0', 12);
        return;
    }
    crypto::to_hex(h, 6, out);
}

}  // namespace

void TextOut::put_uint(uint32_t v) noexcept {
    char tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) put(tmp[--n]);
}

void TextOut::put_hex4(uint16_t v) noexcept {
    static constexpr char kHex[] = "0123456789abcdef";
    for (int s = 12; s >= 0; s -= 4) put(kHex[(v >> s) & 15]);
}

bool parse_client_hello(ByteView body, HelloKind kind, ClientHello& out, TextOut& ja3) noexcept {
    out = ClientHello{};
    Cursor c{body};
    out.legacy_version = c.u16();
    c.take(32);                       // random
    c.take(c.u8());                   // session id
    if (kind == HelloKind::kDtls) c.take(c.u8());   // cookie
    ByteView suites = c.take(c.u16());
    c.take(c.u8());                   // compression methods
    if (!c.ok || suites.size % 2) return false;
    ByteView exts = c.done() ? ByteView{} : c.take(c.u16());
    if (!c.ok) return false;

    uint16_t ciphers[kMaxList], ext_ids[kMaxList], sigs[kMaxList];
    size_t n_ciphers = 0, n_ext = 0, n_ext_sorted = 0, n_sigs = 0;
    bool has_sv = false;

    ja3.put_uint(out.legacy_version);
    ja3.put(',');
    bool first = true;
    for (size_t i = 0; i + 1 < suites.size; i += 2) {
        const uint16_t s = suites.be16(i);
        if (is_grease(s)) continue;
        if (!first) ja3.put('-');
        first = false;
        ja3.put_uint(s);
        if (n_ciphers < kMaxList) ciphers[n_ciphers++] = s;
    }
    ja3.put(',');
    // Extensions: JA3 list in order; JA4 counts all but GREASE and sorts all but SNI/ALPN.
    ByteView groups, formats;
    Cursor e{exts};
    first = true;
    while (!e.done()) {
        const uint16_t type = e.u16();
        ByteView data = e.take(e.u16());
        if (!e.ok) return false;
        if (is_grease(type)) continue;
        ++n_ext;
        if (!first) ja3.put('-');
        first = false;
        ja3.put_uint(type);
        if (type != 0x0000 && type != 0x0010 && n_ext_sorted < kMaxList) ext_ids[n_ext_sorted++] = type;
        Cursor x{data};
        switch (type) {
            case 0x0000: {   // server_name: list of (type u8, name u16-len)
                Cursor l{x.take(x.u16())};
                while (!l.done() && out.sni.empty()) {
                    const uint8_t nt = l.u8();
                    ByteView name = l.take(l.u16());
                    if (l.ok && nt == 0) out.sni = name;
                }
                break;
            }
            case 0x0010: out.alpn = x.take(x.u16()); break;
            case 0x000a: groups = x.take(x.u16()); break;
            case 0x000b: formats = x.take(x.u8()); break;
            case 0x000d: {
                ByteView l = x.take(x.u16());
                for (size_t i = 0; i + 1 < l.size && n_sigs < kMaxList; i += 2)
                    if (!is_grease(l.be16(i))) sigs[n_sigs++] = l.be16(i);
                break;
            }
            case 0x002b: {
                has_sv = true;
                ByteView l = x.take(x.u8());
                for (size_t i = 0; i + 1 < l.size; i += 2) {
                    const uint16_t v = l.be16(i);
                    if (is_grease(v)) continue;
                    // DTLS versions count down (0xfefc is DTLS 1.3): compare by "newness".
                    const bool newer = kind == HelloKind::kDtls ? (out.max_version == 0 || v < out.max_version)
                                                                : v > out.max_version;
                    if (newer) out.max_version = v;
                }
                break;
            }
            default: break;
        }
    }
    ja3.put(',');
    first = true;
    for (size_t i = 0; i + 1 < groups.size; i += 2) {
        const uint16_t g = groups.be16(i);
        if (is_grease(g)) continue;
        if (!first) ja3.put('-');
        first = false;
        ja3.put_uint(g);
    }
    ja3.put(',');
    for (size_t i = 0; i < formats.size; ++i) {
        if (i) ja3.put('-');
        ja3.put_uint(formats.u8(i));
    }
    out.has_ja3 = !ja3.overflow && crypto::md5(ja3.p, ja3.len, out.ja3_md5);
    if (!has_sv || out.max_version == 0) out.max_version = out.legacy_version;

    // JA4_a
    char* a = out.ja4;
    a[0] = kind == HelloKind::kQuic ? 'q' : kind == HelloKind::kDtls ? 'd' : 't';
    ja4_version(out.max_version, a + 1);
    a[3] = out.sni.empty() ? 'i' : 'd';
    put_count(a + 4, n_ciphers);
    put_count(a + 6, n_ext);
    a[8] = a[9] = '0';
    if (out.alpn.size >= 2) {
        const size_t l = out.alpn.u8(0);
        if (l >= 1 && l + 1 <= out.alpn.size) {
            const uint8_t f = out.alpn.u8(1), b = out.alpn.u8(l);
            if (alnum(f) && alnum(b)) {
                a[8] = static_cast<char>(f);
                a[9] = static_cast<char>(b);
            } else {
                char hf[2], hb[2];
                crypto::to_hex(&f, 1, hf);
                crypto::to_hex(&b, 1, hb);
                a[8] = hf[0];
                a[9] = hb[1];
            }
        }
    }
    a[10] = '_';
    std::sort(ciphers, ciphers + n_ciphers);
    ja4_hash(ciphers, n_ciphers, nullptr, 0, a + 11);
    a[23] = '_';
    std::sort(ext_ids, ext_ids + n_ext_sorted);
    ja4_hash(ext_ids, n_ext_sorted, sigs, n_ext_sorted ? n_sigs : 0, a + 24);
    return true;
}

bool parse_server_hello(ByteView body, HelloKind kind, ServerHello& out, TextOut& ja3s) noexcept {
    static constexpr uint8_t kHrrRandom[32] = {
        0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
        0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};
    out = ServerHello{};
    Cursor c{body};
    out.legacy_version = c.u16();
    ByteView random = c.take(32);
    c.take(c.u8());                   // session id
    out.cipher = c.u16();
    c.u8();                           // compression
    if (!c.ok) return false;
    (void)kind;
    out.hrr = std::memcmp(random.data, kHrrRandom, 32) == 0;
    out.version = out.legacy_version;
    ja3s.put_uint(out.legacy_version);
    ja3s.put(',');
    ja3s.put_uint(out.cipher);
    ja3s.put(',');
    ByteView exts = c.done() ? ByteView{} : c.take(c.u16());
    if (!c.ok) return false;
    Cursor e{exts};
    bool first = true;
    while (!e.done()) {
        const uint16_t type = e.u16();
        ByteView data = e.take(e.u16());
        if (!e.ok) return false;
        if (is_grease(type)) continue;
        if (!first) ja3s.put('-');
        first = false;
        ja3s.put_uint(type);
        Cursor x{data};
        if (type == 0x002b && data.size == 2) out.version = data.be16(0);
        if (type == 0x0010) {
            Cursor l{x.take(x.u16())};
            out.alpn = l.take(l.u8());
        }
    }
    out.has_ja3s = !ja3s.overflow && crypto::md5(ja3s.p, ja3s.len, out.ja3s_md5);
    return true;
}

// ---- DER ----
namespace {

// One TLV at c: tag and value view; false when malformed or cut.
bool der_next(Cursor& c, uint8_t& tag, ByteView& value) noexcept {
    tag = c.u8();
    uint8_t l0 = c.u8();
    if (!c.ok || (tag & 0x1f) == 0x1f) return false;   // multi-byte tags do not occur here
    size_t len = l0;
    if (l0 & 0x80) {
        const unsigned n = l0 & 0x7fu;
        if (n == 0 || n > 4) return false;
        len = 0;
        for (unsigned i = 0; i < n; ++i) len = (len << 8) | c.u8();
    }
    value = c.take(len);
    return c.ok;
}

struct OidName {
    uint8_t len;
    uint8_t oid[10];
    const char* name;
};
constexpr OidName kOids[] = {
    {3, {0x55, 0x04, 0x03}, "CN"},         {3, {0x55, 0x04, 0x06}, "C"},
    {3, {0x55, 0x04, 0x07}, "L"},          {3, {0x55, 0x04, 0x08}, "ST"},
    {3, {0x55, 0x04, 0x0a}, "O"},          {3, {0x55, 0x04, 0x0b}, "OU"},
    {3, {0x55, 0x04, 0x05}, "serialNumber"}, {3, {0x55, 0x04, 0x09}, "street"},
    {3, {0x55, 0x04, 0x11}, "postalCode"}, {3, {0x55, 0x04, 0x0f}, "businessCategory"},
    {3, {0x55, 0x04, 0x2a}, "GN"},         {3, {0x55, 0x04, 0x04}, "SN"},
    {3, {0x55, 0x04, 0x0c}, "title"},
    {9, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01}, "emailAddress"},
    {10, {0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19}, "DC"},
};

void format_oid(ByteView oid, TextOut& out) noexcept {
    for (const auto& o : kOids) {
        if (o.len == oid.size && std::memcmp(o.oid, oid.data, o.len) == 0) {
            out.put(o.name, std::strlen(o.name));
            return;
        }
    }
    // Dotted decimal.
    uint64_t v = 0;
    bool first = true;
    for (size_t i = 0; i < oid.size; ++i) {
        v = (v << 7) | (oid.u8(i) & 0x7fu);
        if (oid.u8(i) & 0x80) {
            if (v > (uint64_t{1} << 50)) return;
            continue;
        }
        if (first) {
            const uint64_t a = v < 80 ? v / 40 : 2;
            out.put_uint(static_cast<uint32_t>(a));
            out.put('.');
            out.put_uint(static_cast<uint32_t>(v - a * 40));
            first = false;
        } else {
            out.put('.');
            out.put_uint(static_cast<uint32_t>(v));
        }
        v = 0;
    }
}

}  // namespace

bool parse_x509(ByteView der, CertInfo& out) noexcept {
    out = CertInfo{};
    Cursor top{der};
    uint8_t tag;
    ByteView cert, tbs, v;
    if (!der_next(top, tag, cert) || tag != 0x30) return false;
    Cursor cc{cert};
    if (!der_next(cc, tag, tbs) || tag != 0x30) return false;
    Cursor t{tbs};
    if (!der_next(t, tag, v)) return false;
    if (tag == 0xa0 && !der_next(t, tag, v)) return false;   // explicit version
    if (tag != 0x02) return false;
    out.serial = v;
    if (!der_next(t, tag, v) || tag != 0x30) return false;   // signature algorithm
    if (!der_next(t, tag, v) || tag != 0x30) return false;
    out.issuer = v;
    if (!der_next(t, tag, v) || tag != 0x30) return false;
    Cursor val{v};
    if (!der_next(val, out.nb_tag, out.not_before) || !der_next(val, out.na_tag, out.not_after)) return false;
    if (!der_next(t, tag, v) || tag != 0x30) return false;
    out.subject = v;
    return true;
}

bool parse_first_certificate(ByteView body, CertInfo& out) noexcept {
    Cursor c{body};
    c.take(3);                                   // certificate_list length (may exceed what we have)
    if (!c.need(3)) return false;
    const size_t len = body.be24(c.off);
    c.off += 3;
    ByteView der = c.take(len);
    return c.ok && parse_x509(der, out);
}

void format_name(ByteView name, TextOut& out) noexcept {
    Cursor rdns{name};
    bool first = true;
    uint8_t tag;
    ByteView set;
    while (!rdns.done() && der_next(rdns, tag, set)) {
        if (tag != 0x31) return;
        Cursor s{set};
        ByteView atv;
        while (!s.done() && der_next(s, tag, atv)) {
            if (tag != 0x30) return;
            Cursor a{atv};
            ByteView oid, value;
            uint8_t vtag;
            if (!der_next(a, tag, oid) || tag != 0x06 || !der_next(a, vtag, value)) return;
            if (!first) out.put(", ", 2);
            first = false;
            format_oid(oid, out);
            out.put('=');
            if (vtag == 0x1e) {   // BMPString: keep the ASCII subset
                for (size_t i = 0; i + 1 < value.size; i += 2) {
                    const uint16_t ch = value.be16(i);
                    out.put(ch < 0x80 ? static_cast<char>(ch) : '?');
                }
            } else {
                out.put(reinterpret_cast<const char*>(value.data), value.size);
            }
        }
    }
}

void format_serial(ByteView serial, TextOut& out) noexcept {
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < serial.size; ++i) {
        if (i) out.put(':');
        out.put(kHex[serial.u8(i) >> 4]);
        out.put(kHex[serial.u8(i) & 15]);
    }
}

void format_time(ByteView t, uint8_t tag, TextOut& out) noexcept {
    // UTCTime YYMMDDHHMMSSZ, GeneralizedTime YYYYMMDDHHMMSSZ.
    const size_t ylen = tag == 0x18 ? 4 : 2;
    if (t.size < ylen + 10) return;
    for (size_t i = 0; i < ylen + 10; ++i)
        if (t.u8(i) < '0' || t.u8(i) > '9') return;
    const char* s = reinterpret_cast<const char*>(t.data);
    if (ylen == 2) out.put(s[0] < '5' ? "20" : "19", 2);
    out.put(s, ylen);
    s += ylen;
    out.put('-');
    out.put(s, 2);
    out.put('-');
    out.put(s + 2, 2);
    out.put('T');
    out.put(s + 4, 2);
    out.put(':');
    out.put(s + 6, 2);
    out.put(':');
    out.put(s + 8, 2);
}

void format_version(uint16_t v, TextOut& out) noexcept {
    const char* s = nullptr;
    switch (v) {
        case 0x0300: s = "SSLv3"; break;
        case 0x0301: s = "TLS 1.0"; break;
        case 0x0302: s = "TLS 1.1"; break;
        case 0x0303: s = "TLS 1.2"; break;
        case 0x0304: s = "TLS 1.3"; break;
        case 0xfeff: s = "DTLS 1.0"; break;
        case 0xfefd: s = "DTLS 1.2"; break;
        case 0xfefc: s = "DTLS 1.3"; break;
        default: break;
    }
    if (s) {
        out.put(s, std::strlen(s));
        return;
    }
    out.put("0x", 2);
    out.put_hex4(v);
}

}  // namespace nms::dpi::tls
