#include "dpi/dissectors/http_parse.hpp"

#include <array>
#include <cctype>

namespace nms::dpi::http {
namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

}  // namespace

bool is_method(std::string_view t) noexcept {
    static constexpr std::array<std::string_view, 16> kMethods = {
        "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "CONNECT", "TRACE",
        "PATCH", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK"};
    for (auto m : kMethods)
        if (t == m) return true;
    return false;
}

size_t header_end(std::string_view d) noexcept {
    for (size_t i = 0; i + 1 < d.size(); ++i) {
        if (d[i] != '\n') continue;
        if (d[i + 1] == '\n') return i + 2;
        if (d[i + 1] == '\r' && i + 2 < d.size() && d[i + 2] == '\n') return i + 3;
    }
    return 0;
}

std::string_view first_line(std::string_view d) noexcept {
    const size_t nl = d.find('\n');
    std::string_view line = nl == std::string_view::npos ? d : d.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

std::string_view header(std::string_view block, std::string_view name) noexcept {
    size_t pos = block.find('\n');  // skip the start line
    while (pos != std::string_view::npos && pos + 1 < block.size()) {
        const size_t start = pos + 1;
        const size_t end = block.find('\n', start);
        const std::string_view line = block.substr(start, end == std::string_view::npos ? block.size() - start : end - start);
        const size_t colon = line.find(':');
        if (colon != std::string_view::npos && iequals(trim(line.substr(0, colon)), name))
            return trim(line.substr(colon + 1));
        pos = end;
    }
    return {};
}

bool parse_request_line(std::string_view line, RequestLine& out) noexcept {
    const size_t a = line.find(' ');
    if (a == std::string_view::npos) return false;
    const size_t b = line.rfind(' ');
    out.method = line.substr(0, a);
    if (!is_method(out.method)) return false;
    if (b == a) {  // HTTP/0.9 "GET /"
        out.uri = line.substr(a + 1);
        out.version = {};
        return true;
    }
    out.uri = line.substr(a + 1, b - a - 1);
    out.version = line.substr(b + 1);
    return out.version.substr(0, 5) == "HTTP/";
}

bool parse_status_line(std::string_view line, StatusLine& out) noexcept {
    if (line.substr(0, 5) != "HTTP/") return false;
    const size_t a = line.find(' ');
    if (a == std::string_view::npos) return false;
    out.version = line.substr(0, a);
    const std::string_view rest = line.substr(a + 1);
    const size_t b = rest.find(' ');
    out.status = rest.substr(0, b);
    out.reason = b == std::string_view::npos ? std::string_view{} : rest.substr(b + 1);
    if (out.status.size() != 3) return false;
    for (char c : out.status)
        if (c < '0' || c > '9') return false;
    return true;
}

}  // namespace nms::dpi::http
