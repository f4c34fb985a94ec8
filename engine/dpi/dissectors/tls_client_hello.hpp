#pragma once
// TLS handshake parsing shared by the TLS, DTLS and QUIC dissectors: ClientHello (SNI, ALPN,
// versions, JA3 string + MD5, JA4), ServerHello (selected version/cipher/ALPN, JA3S) and the
// first certificate of a Certificate message (subject, issuer, serial, validity) with a small
// bounded DER walker. Pure functions over bounded views: no allocation, no exceptions.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "common/bytes.hpp"

namespace nms::dpi::tls {

// GREASE (RFC 8701): 0x0a0a, 0x1a1a, ... 0xfafa.
inline bool is_grease(uint16_t v) noexcept { return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); }

// Bounded text output; `overflow` is set when something did not fit (the text is then cut).
struct TextOut {
    char* p;
    size_t cap;
    size_t len = 0;
    bool overflow = false;
    void put(char c) noexcept {
        if (len < cap) p[len++] = c;
        else overflow = true;
    }
    void put(const char* s, size_t n) noexcept {
        for (size_t i = 0; i < n; ++i) put(s[i]);
    }
    void put_uint(uint32_t v) noexcept;
    void put_hex4(uint16_t v) noexcept;
};

enum class HelloKind : uint8_t { kTls, kQuic, kDtls };

struct ClientHello {
    uint16_t legacy_version = 0;
    uint16_t max_version = 0;       // highest supported_versions entry (GREASE skipped), else legacy
    ByteView sni;                   // first host_name of server_name (raw bytes)
    ByteView alpn;                  // ALPN protocol_name_list (entries: u8 len + bytes)
    bool has_ja3 = false;
    uint8_t ja3_md5[16] = {};
    char ja4[36] = {};              // always filled when parse succeeds
    [[nodiscard]] std::string_view ja4_text() const noexcept { return {ja4, ::strnlen(ja4, sizeof ja4)}; }
};

// Parses a ClientHello body (after the 4-byte handshake header). `ja3` receives the JA3
// string (may be cut: then has_ja3 is still right, the string alone is unusable and
// ja3.overflow says so). False when the body is not a well-formed ClientHello.
bool parse_client_hello(ByteView body, HelloKind kind, ClientHello& out, TextOut& ja3) noexcept;

struct ServerHello {
    uint16_t legacy_version = 0;
    uint16_t version = 0;           // supported_versions selection, else legacy
    uint16_t cipher = 0;
    ByteView alpn;                  // the selected protocol
    bool hrr = false;               // HelloRetryRequest (TLS 1.3)
    bool has_ja3s = false;
    uint8_t ja3s_md5[16] = {};
};

bool parse_server_hello(ByteView body, HelloKind kind, ServerHello& out, TextOut& ja3s) noexcept;

// Fields of an X.509 certificate, as views into the DER.
struct CertInfo {
    ByteView serial, issuer, subject, not_before, not_after;   // INTEGER value, Name SEQ bodies, times
    uint8_t nb_tag = 0, na_tag = 0;                             // 0x17 UTCTime / 0x18 GeneralizedTime
};

// From a (possibly partial) Certificate message body of TLS <= 1.2: parses the first
// certificate if all its bytes are present. `complete` = the DER of the first cert is whole.
bool parse_first_certificate(ByteView body, CertInfo& out) noexcept;
bool parse_x509(ByteView der, CertInfo& out) noexcept;

// Suricata-style renderings: "C=US, O=Org, CN=name"; "0A:1B:..."; "2023-01-31T12:00:00".
void format_name(ByteView name, TextOut& out) noexcept;
void format_serial(ByteView serial, TextOut& out) noexcept;
void format_time(ByteView t, uint8_t tag, TextOut& out) noexcept;
// "TLS 1.2", "TLS 1.3", "SSLv3", "DTLS 1.2", or "0x...." for others.
void format_version(uint16_t v, TextOut& out) noexcept;

}  // namespace nms::dpi::tls
