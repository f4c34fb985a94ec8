#include "detect/dns_name.hpp"

#include <cmath>

namespace nms::detect::dns {
namespace {

char fold(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (fold(a[i]) != fold(b[i])) return false;
    return true;
}

bool iends_with(std::string_view s, std::string_view suffix) noexcept {
    return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

// Second-level labels that ccTLD registries use as their own public suffixes.
bool generic_second_level(std::string_view l) noexcept {
    static constexpr std::string_view kWords[] = {"co", "com", "net", "org", "gov", "edu", "ac", "ne", "or",
                                                  "go", "mil", "nic", "ltd", "plc", "sch", "gob", "gv", "ed",
                                                  "gr", "lg", "info", "biz", "nom", "web", "int"};
    for (std::string_view w : kWords)
        if (iequals(l, w)) return true;
    return false;
}

// Top-level domains are letters (or "xn--" punycode) and at most 24 characters long.
bool plausible_tld(std::string_view tld) noexcept {
    if (tld.size() > 24) return false;
    if (tld.size() > 4 && iequals(tld.substr(0, 4), "xn--")) return true;
    for (char c : tld) {
        const char l = fold(c);
        if (l < 'a' || l > 'z') return false;
    }
    return true;
}

}  // namespace

float char_entropy(std::string_view s) noexcept {
    uint16_t counts[256] = {};
    uint32_t n = 0;
    for (char c : s) {
        if (c == '.') continue;
        ++counts[static_cast<unsigned char>(fold(c))];
        ++n;
    }
    if (n == 0) return 0;
    double h = 0;
    const double inv = 1.0 / n;
    for (uint16_t k : counts) {
        if (!k) continue;
        const double p = k * inv;
        h -= p * std::log2(p);
    }
    return static_cast<float>(h);
}

NameShape analyse_name(std::string_view name) noexcept {
    NameShape out;
    while (!name.empty() && name.back() == '.') name.remove_suffix(1);
    // Label boundaries from the right: dots[0] is the last dot, dots[1] the one before...
    size_t dots[3];
    size_t n_dots = 0;
    for (size_t i = name.size(); i-- > 0 && n_dots < 3;)
        if (name[i] == '.') dots[n_dots++] = i;
    if (n_dots == 0 || iends_with(name, ".arpa") || iends_with(name, ".local") || iends_with(name, ".localhost")) {
        out.skip = true;
        return out;
    }
    const std::string_view tld = name.substr(dots[0] + 1);
    const size_t sld_start = n_dots >= 2 ? dots[1] + 1 : 0;
    const std::string_view sld = name.substr(sld_start, dots[0] - sld_start);
    if (tld.empty() || sld.empty()) {
        out.skip = true;
        return out;
    }
    if (!plausible_tld(tld)) {
        out.no_domain = true;
        out.subdomain = name;
    } else {
        size_t reg_start = sld_start;
        if (tld.size() == 2 && generic_second_level(sld) && n_dots >= 2) reg_start = n_dots >= 3 ? dots[2] + 1 : 0;
        out.registered = name.substr(reg_start);
        if (reg_start == 0) return out;  // the registered domain itself: no subdomain
        out.subdomain = name.substr(0, reg_start - 1);
    }
    size_t label_len = 0;
    uint16_t chars = 0;
    uint8_t labels = 0;
    uint8_t longest = 0;
    // Leading run of labels that read as a reversed address: decimal octets, or IPv6 nibbles.
    uint8_t lead_decimal = 0, lead_nibbles = 0;
    bool in_decimal_run = true, in_nibble_run = true, label_decimal = true, label_hex = true;
    for (size_t i = 0; i <= out.subdomain.size(); ++i) {
        if (i == out.subdomain.size() || out.subdomain[i] == '.') {
            if (label_len > longest) longest = static_cast<uint8_t>(label_len > 255 ? 255 : label_len);
            if (label_len) ++labels;
            in_decimal_run = in_decimal_run && label_decimal && label_len >= 1 && label_len <= 3;
            in_nibble_run = in_nibble_run && label_hex && label_len == 1;
            if (in_decimal_run) ++lead_decimal;
            if (in_nibble_run) ++lead_nibbles;
            label_len = 0;
            label_decimal = label_hex = true;
            continue;
        }
        const char c = fold(out.subdomain[i]);
        if (label_len == 0 && c == '_') out.service_name = true;
        label_decimal = label_decimal && c >= '0' && c <= '9';
        label_hex = label_hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
        ++label_len;
        ++chars;
    }
    out.address_like = lead_decimal >= 4 || lead_nibbles >= 16;
    out.subdomain_chars = chars;
    out.subdomain_labels = labels;
    out.longest_label = longest;
    out.entropy = char_entropy(out.subdomain);
    return out;
}

bool under_any(std::string_view name, std::span<const std::string> suffixes) noexcept {
    while (!name.empty() && name.back() == '.') name.remove_suffix(1);
    for (const std::string& s : suffixes) {
        if (s.empty()) continue;
        if (iequals(name, s)) return true;
        if (name.size() > s.size() && name[name.size() - s.size() - 1] == '.' && iends_with(name, s)) return true;
    }
    return false;
}

uint64_t name_hash(std::string_view s, uint64_t seed) noexcept {
    // FNV-1a over case-folded bytes, then a 64-bit finaliser so the top bits (HyperLogLog
    // register index) are as well mixed as the low ones.
    uint64_t h = 0xcbf29ce484222325ULL ^ seed;
    for (char c : s) {
        h ^= static_cast<unsigned char>(fold(c));
        h *= 0x100000001b3ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

}  // namespace nms::detect::dns
