#pragma once
// QUIC v1 Initial packets protected with the real initial keys (RFC 9001 §5.2: HKDF-SHA256
// from the client's Destination Connection ID, AES-128-GCM payload, AES-ECB header
// protection), so tshark and any QUIC-aware monitor can decrypt the ClientHello and read SNI.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace nms::gen {

struct QuicInitialKeys {
    uint8_t key[16]{};
    uint8_t iv[12]{};
    uint8_t hp[16]{};
};

// Derives the client (server=false) or server initial keys for `dcid`. False if OpenSSL fails.
bool derive_quic_initial_keys(const uint8_t* dcid, size_t dcid_len, bool server, QuicInitialKeys& out);

struct QuicLongHeader {
    uint8_t type = 0;          // 0 Initial, 2 Handshake
    const uint8_t* dcid = nullptr;
    size_t dcid_len = 0;
    const uint8_t* scid = nullptr;
    size_t scid_len = 0;
    uint32_t packet_number = 0;
};

// Appends one protected Initial packet carrying `frames`, padded with PADDING frames so the
// packet is at least `min_size` bytes. False if encryption failed.
bool append_quic_initial(std::vector<uint8_t>& out, const QuicInitialKeys& keys, const QuicLongHeader& h,
                         const uint8_t* frames, size_t frames_len, size_t min_size);

}  // namespace nms::gen
