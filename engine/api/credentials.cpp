#include "api/credentials.hpp"

#include <crypt.h>
#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

namespace nms::api {

namespace {

void fill_random(unsigned char* out, size_t n) {
    size_t done = 0;
    while (done < n) {
        const ssize_t r = ::getrandom(out + done, n - done, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error(std::string("getrandom: ") + std::strerror(errno));
        }
        done += static_cast<size_t>(r);
    }
}

bool accepted_scheme(std::string_view hash) {
    return hash.starts_with("$y$") || hash.starts_with("$2b$") || hash.starts_with("$2y$");
}

}  // namespace

std::optional<std::string> hash_password(std::string_view password) {
    if (password.find('\0') != std::string_view::npos) return std::nullopt;
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    unsigned char entropy[32];
    fill_random(entropy, sizeof entropy);
    if (crypt_gensalt_rn("$y$", 0, reinterpret_cast<const char*>(entropy), sizeof entropy, salt, sizeof salt) ==
        nullptr)
        return std::nullopt;
    auto data = std::make_unique<crypt_data>();  // ~32 KiB: not on the stack
    const std::string pw(password);
    const char* out = crypt_r(pw.c_str(), salt, data.get());
    if (out == nullptr || out[0] == '*') return std::nullopt;
    return std::string(out);
}

bool verify_password(std::string_view password, const std::string& hash) {
    if (!accepted_scheme(hash) || password.find('\0') != std::string_view::npos) return false;
    auto data = std::make_unique<crypt_data>();
    const std::string pw(password);
    const char* out = crypt_r(pw.c_str(), hash.c_str(), data.get());
    if (out == nullptr || out[0] == '*') return false;
    return constant_time_equal(out, hash);
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    volatile unsigned char diff = 0;
    for (size_t i = 0; i < a.size(); ++i)
        diff = static_cast<unsigned char>(diff | (static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i])));
    return diff == 0;
}

std::string random_hex(size_t bytes) {
    std::vector<unsigned char> raw(bytes);
    fill_random(raw.data(), raw.size());
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes * 2);
    for (unsigned char c : raw) {
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
    }
    return out;
}

std::string random_password(size_t chars) {
    static constexpr std::string_view kAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    std::string out;
    while (out.size() < chars) {
        unsigned char c = 0;
        fill_random(&c, 1);
        if (c >= 228) continue;  // 228 = 4 * 57: keeps the draw uniform over the alphabet
        out.push_back(kAlphabet[c % kAlphabet.size()]);
    }
    return out;
}

}  // namespace nms::api
