#include "devices/oui_db.hpp"

#include <fstream>

namespace nms::devices {

std::string mac_to_string(const Mac& m) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s(17, ':');
    for (size_t i = 0; i < 6; ++i) {
        s[i * 3] = kHex[m[i] >> 4];
        s[i * 3 + 1] = kHex[m[i] & 15];
    }
    return s;
}

namespace {
int hex_val(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

std::optional<Mac> mac_parse(std::string_view t) noexcept {
    if (t.size() != 17) return std::nullopt;
    Mac m;
    for (size_t i = 0; i < 6; ++i) {
        const int hi = hex_val(t[i * 3]), lo = hex_val(t[i * 3 + 1]);
        if (hi < 0 || lo < 0 || (i < 5 && t[i * 3 + 2] != ':' && t[i * 3 + 2] != '-')) return std::nullopt;
        m[i] = static_cast<uint8_t>(hi << 4 | lo);
    }
    return m;
}

std::vector<std::string> split_csv_line(std::string_view line) {
    std::vector<std::string> out;
    std::string cur;
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < line.size() && line[i + 1] == '"') {
                    cur.push_back('"');
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                cur.push_back(c);
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            out.push_back(std::move(cur));
            cur.clear();
        } else if (c != '\r' && c != '\n') {
            cur.push_back(c);
        }
    }
    out.push_back(std::move(cur));
    return out;
}

bool OuiDb::add(std::string_view hex, std::string_view org) {
    uint64_t v = 0;
    for (char c : hex) {
        const int h = hex_val(c);
        if (h < 0) return false;
        v = v << 4 | static_cast<uint64_t>(h);
    }
    while (!org.empty() && org.back() == ' ') org.remove_suffix(1);
    if (hex.size() == 6) l_[static_cast<uint32_t>(v)] = std::string(org);
    else if (hex.size() == 7) m_[static_cast<uint32_t>(v)] = std::string(org);
    else if (hex.size() == 9) s_[v] = std::string(org);
    else return false;
    return true;
}

long OuiDb::load_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return -1;
    long n = 0;
    std::string line;
    while (std::getline(in, line)) {
        const auto f = split_csv_line(line);
        if (f.size() < 3 || f[0] == "Registry") continue;
        if (add(f[1], f[2])) ++n;
    }
    return n;
}

std::string_view OuiDb::vendor(const Mac& m) const {
    if (mac_is_local_admin(m)) return {};
    const uint64_t v = (uint64_t{m[0]} << 40) | (uint64_t{m[1]} << 32) | (uint64_t{m[2]} << 24) |
                       (uint64_t{m[3]} << 16) | (uint64_t{m[4]} << 8) | m[5];
    if (auto it = s_.find(v >> 12); it != s_.end()) return it->second;
    if (auto it = m_.find(static_cast<uint32_t>(v >> 20)); it != m_.end()) return it->second;
    if (auto it = l_.find(static_cast<uint32_t>(v >> 24)); it != l_.end()) return it->second;
    return {};
}

}  // namespace nms::devices
