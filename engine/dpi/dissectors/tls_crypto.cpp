#include "dpi/dissectors/tls_crypto.hpp"

#include <openssl/evp.h>

#include <cstring>

namespace nms::dpi::crypto {
namespace {

// Per-thread OpenSSL objects: fetched/created once, reused for every packet afterwards.
struct Ctx {
    EVP_MD_CTX* md[2] = {nullptr, nullptr};
    EVP_MD* algo[2] = {nullptr, nullptr};
    EVP_CIPHER_CTX* ecb = nullptr;
    EVP_CIPHER_CTX* gcm = nullptr;
    Ctx() {
        // Fetch the algorithms once and bind each context to its own: an implicit fetch on
        // every init (EVP_md5()/EVP_sha256() in OpenSSL 3) costs more than the hash itself.
        algo[Digest::kMd5] = EVP_MD_fetch(nullptr, "MD5", nullptr);
        algo[Digest::kSha256] = EVP_MD_fetch(nullptr, "SHA256", nullptr);
        for (int k = 0; k < 2; ++k) {
            md[k] = EVP_MD_CTX_new();
            if (md[k] && algo[k] && EVP_DigestInit_ex2(md[k], algo[k], nullptr) != 1) {
                EVP_MD_CTX_free(md[k]);
                md[k] = nullptr;
            }
        }
        ecb = EVP_CIPHER_CTX_new();
        gcm = EVP_CIPHER_CTX_new();
        // Bind the ciphers once; later calls only change key/iv.
        if (ecb && EVP_EncryptInit_ex(ecb, EVP_aes_128_ecb(), nullptr, nullptr, nullptr) == 1)
            EVP_CIPHER_CTX_set_padding(ecb, 0);
        if (gcm) EVP_DecryptInit_ex(gcm, EVP_aes_128_gcm(), nullptr, nullptr, nullptr);
    }
    ~Ctx() {
        EVP_MD_CTX_free(md[0]);
        EVP_MD_CTX_free(md[1]);
        EVP_MD_free(algo[0]);
        EVP_MD_free(algo[1]);
        EVP_CIPHER_CTX_free(ecb);
        EVP_CIPHER_CTX_free(gcm);
    }
    Ctx(const Ctx&) = delete;
    Ctx& operator=(const Ctx&) = delete;
};

Ctx& ctx() noexcept {
    thread_local Ctx c;
    return c;
}

}  // namespace

Digest::Digest(Kind k) noexcept : ctx_(ctx().md[k]), ok_(false) {
    auto* c = static_cast<EVP_MD_CTX*>(ctx_);
    ok_ = c && EVP_DigestInit_ex2(c, nullptr, nullptr) == 1;  // same algorithm as bound in Ctx
}

void Digest::update(const void* p, size_t n) noexcept {
    if (ok_ && n) ok_ = EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), p, n) == 1;
}

bool Digest::final(uint8_t* out) noexcept {
    unsigned int len = 0;
    if (!ok_) return false;
    ok_ = false;
    return EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), out, &len) == 1;
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
    uint8_t k[64] = {};
    if (key_len > 64) {
        if (!sha256(key, key_len, k)) return false;
    } else if (key_len) {
        std::memcpy(k, key, key_len);
    }
    uint8_t pad[64];
    for (size_t i = 0; i < 64; ++i) pad[i] = static_cast<uint8_t>(k[i] ^ 0x36);
    uint8_t inner[32];
    Digest d(Digest::kSha256);
    d.update(pad, 64);
    d.update(msg, msg_len);
    if (!d.final(inner)) return false;
    for (size_t i = 0; i < 64; ++i) pad[i] = static_cast<uint8_t>(k[i] ^ 0x5c);
    Digest o(Digest::kSha256);
    o.update(pad, 64);
    o.update(inner, 32);
    return o.final(out);
}

bool hkdf_extract(const uint8_t* salt, size_t salt_len, const uint8_t* ikm, size_t ikm_len, uint8_t prk[32]) noexcept {
    return hmac_sha256(salt, salt_len, ikm, ikm_len, prk);
}

bool hkdf_expand_label(const uint8_t secret[32], std::string_view label, uint8_t* out, size_t out_len) noexcept {
    // HkdfLabel = length u16 | len u8 | "tls6 " + label | context len u8 (0)
    if (out_len > 64 || label.size() > 200) return false;
    uint8_t info[2 + 1 + 6 + 200 + 1 + 1];
    size_t n = 0;
    info[n++] = static_cast<uint8_t>(out_len >> 8);
    info[n++] = static_cast<uint8_t>(out_len);
    info[n++] = static_cast<uint8_t>(6 + label.size());
    std::memcpy(info + n, "tls13 ", 6);
    n += 6;
    std::memcpy(info + n, label.data(), label.size());
    n += label.size();
    info[n++] = 0;
    // T(i) = HMAC(PRK, T(i-1) | info | i)
    uint8_t t[32];
    size_t t_len = 0, done = 0;
    for (uint8_t i = 1; done < out_len; ++i) {
        uint8_t msg[32 + sizeof info + 1];
        std::memcpy(msg, t, t_len);
        std::memcpy(msg + t_len, info, n);
        msg[t_len + n] = i;
        if (!hmac_sha256(secret, 32, msg, t_len + n + 1, t)) return false;
        t_len = 32;
        const size_t take = out_len - done < 32 ? out_len - done : 32;
        std::memcpy(out + done, t, take);
        done += take;
    }
    return true;
}

bool aes128_ecb_block(const uint8_t key[16], const uint8_t in[16], uint8_t out[16]) noexcept {
    EVP_CIPHER_CTX* c = ctx().ecb;
    int len = 0;
    return c && EVP_EncryptInit_ex(c, nullptr, nullptr, key, nullptr) == 1 &&
           EVP_EncryptUpdate(c, out, &len, in, 16) == 1 && len == 16;
}

bool aes128_gcm_open(const uint8_t key[16], const uint8_t iv[12], const uint8_t* aad, size_t aad_len,
                     const uint8_t* ct, size_t ct_len, uint8_t* out) noexcept {
    EVP_CIPHER_CTX* c = ctx().gcm;
    if (!c || ct_len < 16 || ct_len - 16 > 0x7fffffff || aad_len > 0x7fffffff) return false;
    const int body = static_cast<int>(ct_len - 16);
    int len = 0;
    if (EVP_DecryptInit_ex(c, nullptr, nullptr, key, iv) != 1) return false;
    if (EVP_DecryptUpdate(c, nullptr, &len, aad, static_cast<int>(aad_len)) != 1) return false;
    if (EVP_DecryptUpdate(c, out, &len, ct, body) != 1) return false;
    uint8_t tag[16];
    std::memcpy(tag, ct + body, 16);
    if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag) != 1) return false;
    int fin = 0;
    return EVP_DecryptFinal_ex(c, out + len, &fin) == 1;
}

void to_hex(const uint8_t* p, size_t n, char* out) noexcept {
    static constexpr char kHex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; ++i) {
        out[2 * i] = kHex[p[i] >> 4];
        out[2 * i + 1] = kHex[p[i] & 15];
    }
}

}  // namespace nms::dpi::crypto
