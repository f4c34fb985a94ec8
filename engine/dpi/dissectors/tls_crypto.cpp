#include "dpi/dissectors/tls_crypto.hpp"

// SHA256_Init/MD5_Init are deprecated in OpenSSL 3 in favour of EVP, whose per-call
// provider dispatch, context re-initialisation and cleansing cost more than hashing the
// few hundred bytes a fingerprint or a QUIC key needs. They remain in libcrypto 3.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/aes.h>
#include <openssl/evp.h>
#include <openssl/md5.h>
#include <openssl/sha.h>

#include <cstring>

namespace nms::dpi::crypto {
namespace {

// Per-thread cipher context: created once, reused for every packet afterwards.
struct Ctx {
    EVP_CIPHER_CTX* ctr = nullptr;
    Ctx() {
        ctr = EVP_CIPHER_CTX_new();
        // Bind the cipher once; later calls only change key and counter.
        if (ctr) EVP_EncryptInit_ex(ctr, EVP_aes_128_ctr(), nullptr, nullptr, nullptr);
    }
    ~Ctx() { EVP_CIPHER_CTX_free(ctr); }
    Ctx(const Ctx&) = delete;
    Ctx& operator=(const Ctx&) = delete;
};

static_assert(sizeof(SHA256_CTX) <= 120 && sizeof(MD5_CTX) <= 120, "Digest::state_ too small");

// HMAC-SHA256 with the key absorbed: the inner and outer states after the padded key block.
struct HmacKey {
    SHA256_CTX inner, outer;
    explicit HmacKey(const uint8_t* key, size_t key_len) noexcept {
        uint8_t k[64] = {};
        if (key_len > 64) SHA256(key, key_len, k);
        else if (key_len) std::memcpy(k, key, key_len);
        uint8_t pad[64];
        for (size_t i = 0; i < 64; ++i) pad[i] = static_cast<uint8_t>(k[i] ^ 0x36);
        SHA256_Init(&inner);
        SHA256_Update(&inner, pad, 64);
        for (size_t i = 0; i < 64; ++i) pad[i] = static_cast<uint8_t>(k[i] ^ 0x5c);
        SHA256_Init(&outer);
        SHA256_Update(&outer, pad, 64);
    }
    // HMAC(key, a | b | c) without building the concatenation.
    void mac(const uint8_t* a, size_t an, const uint8_t* b, size_t bn, const uint8_t* c, size_t cn,
             uint8_t out[32]) const noexcept {
        SHA256_CTX x = inner;
        if (an) SHA256_Update(&x, a, an);
        if (bn) SHA256_Update(&x, b, bn);
        if (cn) SHA256_Update(&x, c, cn);
        uint8_t ih[32];
        SHA256_Final(ih, &x);
        x = outer;
        SHA256_Update(&x, ih, 32);
        SHA256_Final(out, &x);
    }
};

Ctx& ctx() noexcept {
    thread_local Ctx c;
    return c;
}

}  // namespace

Digest::Digest(Kind k) noexcept : kind_(k), ok_(false) {
    ok_ = k == kSha256 ? SHA256_Init(reinterpret_cast<SHA256_CTX*>(state_)) == 1
                       : MD5_Init(reinterpret_cast<MD5_CTX*>(state_)) == 1;
}

void Digest::update(const void* p, size_t n) noexcept {
    if (!ok_ || !n) return;
    ok_ = kind_ == kSha256 ? SHA256_Update(reinterpret_cast<SHA256_CTX*>(state_), p, n) == 1
                           : MD5_Update(reinterpret_cast<MD5_CTX*>(state_), p, n) == 1;
}

bool Digest::final(uint8_t* out) noexcept {
    if (!ok_) return false;
    ok_ = false;
    return kind_ == kSha256 ? SHA256_Final(out, reinterpret_cast<SHA256_CTX*>(state_)) == 1
                            : MD5_Final(out, reinterpret_cast<MD5_CTX*>(state_)) == 1;
}

bool md5(const void* p, size_t n, uint8_t out[16]) noexcept {
    Digest d(Digest::kMd5);
    d.update(p, n);
    return d.final(out);
}

bool sha256(const void* p, size_t n, uint8_t out[32]) noexcept {
    Digest d(Digest::kSha256);
    d.update(p, n);
    return d.final(out);
}

bool hmac_sha256(const uint8_t* key, size_t key_len, const uint8_t* msg, size_t msg_len, uint8_t out[32]) noexcept {
    HmacKey(key, key_len).mac(msg, msg_len, nullptr, 0, nullptr, 0, out);
    return true;
}

bool hkdf_extract(const uint8_t* salt, size_t salt_len, const uint8_t* ikm, size_t ikm_len, uint8_t prk[32]) noexcept {
    // QUIC extracts with one of a few fixed salts per version: keep the last few keyed states.
    struct Cached {
        uint8_t salt[32];
        size_t len = 0;
        HmacKey key{nullptr, 0};
    };
    thread_local Cached cache[4];
    thread_local unsigned next = 0;
    if (salt_len > sizeof cache[0].salt) return hmac_sha256(salt, salt_len, ikm, ikm_len, prk);
    for (const Cached& c : cache) {
        if (c.len == salt_len && std::memcmp(c.salt, salt, salt_len) == 0) {
            c.key.mac(ikm, ikm_len, nullptr, 0, nullptr, 0, prk);
            return true;
        }
    }
    Cached& c = cache[next++ % 4];
    std::memcpy(c.salt, salt, salt_len);
    c.len = salt_len;
    c.key = HmacKey(salt, salt_len);
    c.key.mac(ikm, ikm_len, nullptr, 0, nullptr, 0, prk);
    return true;
}

bool hkdf_expand_label(const uint8_t secret[32], std::string_view label, uint8_t* out, size_t out_len) noexcept {
    // HkdfLabel = length u16 | len u8 | "tls13 " + label | context len u8 (0)
    if (out_len > 64 || label.size() > 200) return false;
    uint8_t info[2 + 1 + 6 + 200 + 1];
    size_t n = 0;
    info[n++] = static_cast<uint8_t>(out_len >> 8);
    info[n++] = static_cast<uint8_t>(out_len);
    info[n++] = static_cast<uint8_t>(6 + label.size());
    std::memcpy(info + n, "tls13 ", 6);
    n += 6;
    std::memcpy(info + n, label.data(), label.size());
    n += label.size();
    info[n++] = 0;
    // T(i) = HMAC(PRK, T(i-1) | info | i). Callers expand several labels from one secret in
    // a row (QUIC: key, iv, hp): the keyed state of the last secret is kept.
    thread_local uint8_t last_secret[32];
    thread_local bool have_last = false;
    thread_local HmacKey prk{nullptr, 0};
    if (!have_last || std::memcmp(last_secret, secret, 32) != 0) {
        prk = HmacKey(secret, 32);
        std::memcpy(last_secret, secret, 32);
        have_last = true;
    }
    uint8_t t[32];
    size_t t_len = 0, done = 0;
    for (uint8_t i = 1; done < out_len; ++i) {
        prk.mac(t, t_len, info, n, &i, 1, t);
        t_len = 32;
        const size_t take = out_len - done < 32 ? out_len - done : 32;
        std::memcpy(out + done, t, take);
        done += take;
    }
    return true;
}

bool aes128_ecb_block(const uint8_t key[16], const uint8_t in[16], uint8_t out[16]) noexcept {
    // One block under a fresh key: the low-level key schedule is a fraction of an EVP re-key
    // (provider dispatch, parameter checks) and this runs once per QUIC Initial.
    AES_KEY k;
    if (AES_set_encrypt_key(key, 128, &k) != 0) return false;
    AES_encrypt(in, out, &k);
    return true;
}

bool aes128_ctr(const uint8_t key[16], const uint8_t counter[16], const uint8_t* in, size_t n, uint8_t* out) noexcept {
    EVP_CIPHER_CTX* c = ctx().ctr;
    if (!c || n > 0x7fffffff) return false;
    int len = 0;
    return EVP_EncryptInit_ex(c, nullptr, nullptr, key, counter) == 1 &&
           EVP_EncryptUpdate(c, out, &len, in, static_cast<int>(n)) == 1 && static_cast<size_t>(len) == n;
}

void to_hex(const uint8_t* p, size_t n, char* out) noexcept {
    static constexpr char kHex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; ++i) {
        out[2 * i] = kHex[p[i] >> 4];
        out[2 * i + 1] = kHex[p[i] & 15];
    }
}

}  // namespace nms::dpi::crypto
