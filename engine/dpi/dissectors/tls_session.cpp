#include "dpi/dissectors/tls_session.hpp"

#include <cstring>

#include "dpi/dissectors/json_text.hpp"
#include "dpi/dissectors/tls_crypto.hpp"

namespace nms::dpi::tls {

void Session::put(uint8_t key, const void* p, size_t n, size_t reserve) noexcept {
    if (n > 0xffff || arena_len + 3 + n + reserve > kArena) return;   // dropped: the event lacks it
    uint8_t* d = arena + arena_len;
    d[0] = key;
    d[1] = static_cast<uint8_t>(n);
    d[2] = static_cast<uint8_t>(n >> 8);
    if (n) std::memcpy(d + 3, p, n);
    arena_len = static_cast<uint16_t>(arena_len + 3 + n);
}

void Session::client_hello(const ClientHello& ch, const TextOut& ja3) noexcept {
    client_seen = true;
    client_version = ch.max_version;
    if (ch.has_ja3) put(kJa3Hash, ch.ja3_md5, 16, kServerReserve);
    put(kJa4, ch.ja4, sizeof ch.ja4, kServerReserve);
    if (!ch.sni.empty()) put(kSni, ch.sni.data, ch.sni.size, kServerReserve);
    if (!ch.alpn.empty()) put(kClientAlpn, ch.alpn.data, ch.alpn.size, kServerReserve);
    if (ch.has_ja3) put(kJa3Str, ja3.p, ja3.len, kServerReserve);
}

void Session::server_hello(const ServerHello& sh, const TextOut& ja3s) noexcept {
    server_seen = true;
    server_version = sh.version;
    if (sh.has_ja3s) put(kJa3sHash, sh.ja3s_md5, 16);
    if (!sh.alpn.empty()) put(kServerAlpn, sh.alpn.data, sh.alpn.size);
    if (sh.has_ja3s) put(kJa3sStr, ja3s.p, ja3s.len);
}

void Session::emit(const CertInfo* cert, EventSink& events) const noexcept {
    AppEvent* ev = events.begin_event();
    if (!ev) return;
    EventWriter w(*ev);
    char buf[400];
    TextOut v{buf, sizeof buf};
    format_version(server_version ? server_version : client_version, v);
    if (server_version || client_version) w.bytes(kVersion, buf, v.len);
    // Copy the arena fields as they are (same framing as an event body).
    for (size_t off = 0; off + 3 <= arena_len;) {
        const size_t n = arena[off + 1] | (size_t{arena[off + 2]} << 8);
        if (off + 3 + n > arena_len) break;
        w.bytes(arena[off], arena + off + 3, n);
        off += 3 + n;
    }
    if (cert) {
        const auto put = [&](uint8_t key, auto&& fmt) {
            TextOut t{buf, sizeof buf};
            fmt(t);
            if (t.len) w.bytes(key, buf, t.len);
        };
        put(kSubject, [&](TextOut& t) { format_name(cert->subject, t); });
        put(kIssuer, [&](TextOut& t) { format_name(cert->issuer, t); });
        put(kSerial, [&](TextOut& t) { format_serial(cert->serial, t); });
        put(kNotBefore, [&](TextOut& t) { format_time(cert->not_before, cert->nb_tag, t); });
        put(kNotAfter, [&](TextOut& t) { format_time(cert->not_after, cert->na_tag, t); });
    }
    events.commit_event();
}

namespace {

void write_hash(JsonWriter& w, ByteView v) {
    char hex[32];
    crypto::to_hex(v.data, v.size < 16 ? v.size : 16, hex);
    w.String(hex, static_cast<rapidjson::SizeType>(2 * (v.size < 16 ? v.size : 16)));
}

void write_alpn_list(JsonWriter& w, ByteView list) {
    w.StartArray();
    for (size_t i = 0; i < list.size;) {
        const size_t n = list.u8(i);
        if (n == 0 || !list.has(i + 1, n)) break;
        write_text(w, list.sub(i + 1, n));
        i += 1 + n;
    }
    w.EndArray();
}

}  // namespace

void render_event(const AppEvent& ev, JsonWriter& w) {
    ByteView f[kFieldCount];
    bool has[kFieldCount] = {};
    EventReader r(ev);
    uint8_t key;
    ByteView v;
    while (r.next(key, v)) {
        if (key >= kFieldCount) continue;
        f[key] = v;
        has[key] = true;
    }
    w.StartObject();
    static constexpr const char* kText[][2] = {{"", "sni"},          {"", "version"},  {"", "subject"},
                                               {"", "issuerdn"},     {"", "serial"},   {"", "notbefore"},
                                               {"", "notafter"}};
    for (uint8_t k = kSni; k <= kNotAfter; ++k) {
        if (!has[k]) continue;
        w.Key(kText[k][1]);
        write_text(w, f[k]);
    }
    if (has[kQuicVersion]) {
        w.Key("version");
        write_text(w, f[kQuicVersion]);
    }
    if (has[kUserAgent]) {
        w.Key("ua");
        write_text(w, f[kUserAgent]);
    }
    if (has[kJa3Hash]) {
        w.Key("ja3");
        w.StartObject();
        w.Key("hash");
        write_hash(w, f[kJa3Hash]);
        if (has[kJa3Str]) {
            w.Key("string");
            write_text(w, f[kJa3Str]);
        }
        w.EndObject();
    }
    if (has[kJa3sHash]) {
        w.Key("ja3s");
        w.StartObject();
        w.Key("hash");
        write_hash(w, f[kJa3sHash]);
        if (has[kJa3sStr]) {
            w.Key("string");
            write_text(w, f[kJa3sStr]);
        }
        w.EndObject();
    }
    if (has[kJa4]) {
        w.Key("ja4");
        write_text(w, f[kJa4]);
    }
    if (has[kClientAlpn]) {
        w.Key("client_alpns");
        write_alpn_list(w, f[kClientAlpn]);
    }
    if (has[kServerAlpn]) {
        w.Key("server_alpns");
        w.StartArray();
        write_text(w, f[kServerAlpn]);
        w.EndArray();
    }
    w.EndObject();
}

}  // namespace nms::dpi::tls
