#pragma once
// What the TLS and DTLS dissectors remember of one handshake between the hellos and the
// event (ClientHello fingerprints, ServerHello selection), kept in the flow's state bytes,
// and the shared EVE rendering (Suricata "tls" field names).
#include <cstdint>

#include "dpi/app_event.hpp"
#include "dpi/dissector.hpp"
#include "dpi/dissectors/tls_client_hello.hpp"

namespace nms::dpi::tls {

// Event (and arena) field keys.
enum Field : uint8_t {
    kSni, kVersion, kSubject, kIssuer, kSerial, kNotBefore, kNotAfter, kJa3Hash, kJa3Str, kJa3sHash, kJa3sStr,
    kJa4, kClientAlpn, kServerAlpn, kQuicVersion, kUserAgent, kFieldCount
};

struct Session {
    static constexpr size_t kArena = 440;
    static constexpr size_t kServerReserve = 110;   // kept free for the ServerHello fields
    uint16_t client_version = 0;   // ClientHello max version
    uint16_t server_version = 0;   // negotiated version (0 = no ServerHello yet)
    uint16_t arena_len = 0;
    bool client_seen = false;
    bool server_seen = false;
    uint8_t arena[kArena];          // fields as [key u8][len u16 LE][bytes], like an event body

    void clear() noexcept { *this = Session{}; }
    void put(uint8_t key, const void* p, size_t n, size_t reserve = 0) noexcept;
    void client_hello(const ClientHello& ch, const TextOut& ja3) noexcept;
    void server_hello(const ServerHello& sh, const TextOut& ja3s) noexcept;
    [[nodiscard]] bool empty() const noexcept { return !client_seen && !server_seen; }
    // Writes one event with everything known plus the certificate (may be null).
    void emit(const CertInfo* cert, EventSink& events) const noexcept;
};

// Renders a tls/dtls/quic event body (Suricata names: sni, version, subject, issuerdn, serial,
// notbefore, notafter, ja3{hash,string}, ja3s{hash,string}, ja4, client_alpns, server_alpns).
void render_event(const AppEvent& ev, JsonWriter& w);

}  // namespace nms::dpi::tls
