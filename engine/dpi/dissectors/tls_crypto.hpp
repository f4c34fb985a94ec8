#pragma once
// Small OpenSSL wrappers for the TLS/QUIC dissectors: MD5/SHA-256 digests, HKDF-SHA256
// (RFC 5869 + TLS 1.3 Expand-Label), one AES-128 block and AES-128-CTR.
// Digests use OpenSSL's one-shot block functions on a context held in the Digest itself
// (no EVP dispatch, no allocation); HMAC keys are absorbed once per key, not once per
// message. The CTR context is per thread, created on first use and reused. Every function
// is noexcept and reports failure by returning false.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace nms::dpi::crypto {

// Incremental digest; its state lives in the object (SHA256_CTX / MD5_CTX, copyable).
class Digest {
 public:
    enum Kind : uint8_t { kMd5, kSha256 };
    explicit Digest(Kind k) noexcept;
    void update(const void* p, size_t n) noexcept;
    void update(std::string_view s) noexcept { update(s.data(), s.size()); }
    // Writes 16 (MD5) or 32 (SHA-256) bytes; false on an OpenSSL failure.
    bool final(uint8_t* out) noexcept;

 private:
    alignas(8) unsigned char state_[120];   // SHA256_CTX (112 bytes) or MD5_CTX (92)
    Kind kind_;
    bool ok_;
};

bool md5(const void* p, size_t n, uint8_t out[16]) noexcept;
bool sha256(const void* p, size_t n, uint8_t out[32]) noexcept;
bool hmac_sha256(const uint8_t* key, size_t key_len, const uint8_t* msg, size_t msg_len, uint8_t out[32]) noexcept;
// HKDF-Extract(salt, ikm) -> 32-byte PRK.
bool hkdf_extract(const uint8_t* salt, size_t salt_len, const uint8_t* ikm, size_t ikm_len, uint8_t prk[32]) noexcept;
// HKDF-Expand-Label(secret, "tls13 " + label, "", out_len), out_len <= 64.
bool hkdf_expand_label(const uint8_t secret[32], std::string_view label, uint8_t* out, size_t out_len) noexcept;
// One AES-128 block encryption (QUIC header protection mask).
bool aes128_ecb_block(const uint8_t key[16], const uint8_t in[16], uint8_t out[16]) noexcept;
// AES-128-CTR keystream XOR (encrypt = decrypt) from the 16-byte initial counter block:
// GCM's cipher without its tag check, for callers that validate the plaintext themselves.
bool aes128_ctr(const uint8_t key[16], const uint8_t counter[16], const uint8_t* in, size_t n, uint8_t* out) noexcept;

// Lower-case hex of n bytes into out (2n chars, no terminator).
void to_hex(const uint8_t* p, size_t n, char* out) noexcept;

}  // namespace nms::dpi::crypto
