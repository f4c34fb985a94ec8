#include "gen/quic_initial.hpp"

#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <cstring>
#include <memory>
#include <string>

#include "gen/byte_writer.hpp"

namespace nms::gen {
namespace {

constexpr uint8_t kInitialSaltV1[20] = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
                                        0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};

struct PkeyCtxFree {
    void operator()(EVP_PKEY_CTX* c) const noexcept { EVP_PKEY_CTX_free(c); }
};
struct CipherCtxFree {
    void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};

bool hkdf(int mode, const uint8_t* salt, size_t salt_len, const uint8_t* key, size_t key_len, const uint8_t* info,
          size_t info_len, uint8_t* out, size_t out_len) {
    std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr));
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) <= 0) return false;
    if (EVP_PKEY_CTX_set_hkdf_mode(ctx.get(), mode) <= 0) return false;
    if (EVP_PKEY_CTX_set_hkdf_md(ctx.get(), EVP_sha256()) <= 0) return false;
    if (salt_len && EVP_PKEY_CTX_set1_hkdf_salt(ctx.get(), salt, static_cast<int>(salt_len)) <= 0) return false;
    if (EVP_PKEY_CTX_set1_hkdf_key(ctx.get(), key, static_cast<int>(key_len)) <= 0) return false;
    if (info_len && EVP_PKEY_CTX_add1_hkdf_info(ctx.get(), info, static_cast<int>(info_len)) <= 0) return false;
    size_t len = out_len;
    return EVP_PKEY_derive(ctx.get(), out, &len) > 0 && len == out_len;
}

// HKDF-Expand-Label (RFC 8446 §7.1) with an empty context.
bool expand_label(const uint8_t* secret, const char* label, uint8_t* out, size_t out_len) {
    std::vector<uint8_t> info;
    ByteWriter w(info);
    w.be16(static_cast<unsigned>(out_len));
    const std::string full = std::string("tls13 ") + label;
    w.u8(static_cast<unsigned>(full.size()));
    w.str(full);
    w.u8(0);
    return hkdf(EVP_PKEY_HKDEF_MODE_EXPAND_ONLY, nullptr, 0, secret, 32, info.data(), info.size(), out, out_len);
}

}  // namespace

bool derive_quic_initial_keys(const uint8_t* dcid, size_t dcid_len, bool server, QuicInitialKeys& out) {
    uint8_t initial[32];
    if (!hkdf(EVP_PKEY_HKDEF_MODE_EXTRACT_ONLY, kInitialSaltV1, sizeof kInitialSaltV1, dcid, dcid_len, nullptr, 0,
              initial, sizeof initial))
        return false;
    uint8_t secret[32];
    if (!expand_label(initial, server ? "server in" : "client in", secret, sizeof secret)) return false;
    return expand_label(secret, "quic key", out.key, sizeof out.key) &&
           expand_label(secret, "quic iv", out.iv, sizeof out.iv) &&
           expand_label(secret, "quic hp", out.hp, sizeof out.hp);
}

bool append_quic_initial(std::vector<uint8_t>& out, const QuicInitialKeys& keys, const QuicLongHeader& h,
                         const uint8_t* frames, size_t frames_len, size_t min_size) {
    constexpr size_t kPnLen = 4;
    constexpr size_t kTagLen = 16;
    const size_t start = out.size();
    ByteWriter w(out);
    w.u8(0xc0u | static_cast<unsigned>(h.type << 4) | (kPnLen - 1));
    w.be32(1);
    w.u8(static_cast<unsigned>(h.dcid_len));
    w.bytes(h.dcid, h.dcid_len);
    w.u8(static_cast<unsigned>(h.scid_len));
    w.bytes(h.scid, h.scid_len);
    if (h.type == 0) w.varint(0);  // token length
    const size_t header_len = out.size() - start + 2 + kPnLen;  // 2-byte Length varint
    size_t plain_len = frames_len;
    if (header_len + plain_len + kTagLen < min_size) plain_len = min_size - header_len - kTagLen;
    w.be16(0x4000u | static_cast<unsigned>(kPnLen + plain_len + kTagLen));
    const size_t pn_off = out.size();
    w.be32(h.packet_number);
    const size_t payload_off = out.size();
    w.bytes(frames, frames_len);
    w.zeros(plain_len - frames_len);  // PADDING frames are zero bytes
    w.zeros(kTagLen);

    uint8_t nonce[12];
    std::memcpy(nonce, keys.iv, 12);
    for (size_t i = 0; i < 4; ++i) nonce[8 + i] ^= static_cast<uint8_t>(h.packet_number >> (24 - 8 * i));

    std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
    if (!ctx) return false;
    uint8_t* p = out.data() + start;
    int len = 0;
    if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, keys.key, nonce) != 1) return false;
    if (EVP_EncryptUpdate(ctx.get(), nullptr, &len, p, static_cast<int>(payload_off - start)) != 1) return false;
    uint8_t* payload = out.data() + payload_off;
    if (EVP_EncryptUpdate(ctx.get(), payload, &len, payload, static_cast<int>(plain_len)) != 1) return false;
    if (EVP_EncryptFinal_ex(ctx.get(), payload + len, &len) != 1) return false;
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagLen, payload + plain_len) != 1) return false;

    // Header protection: mask from AES-ECB(hp, sample), sample = 16 bytes at pn_off + 4.
    std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ecb(EVP_CIPHER_CTX_new());
    if (!ecb || EVP_EncryptInit_ex(ecb.get(), EVP_aes_128_ecb(), nullptr, keys.hp, nullptr) != 1) return false;
    uint8_t mask[32];
    if (EVP_EncryptUpdate(ecb.get(), mask, &len, out.data() + pn_off + 4, 16) != 1) return false;
    out[start] ^= mask[0] & 0x0f;
    for (size_t i = 0; i < kPnLen; ++i) out[pn_off + i] ^= mask[1 + i];
    return true;
}

}  // namespace nms::gen
