#pragma once
// Pure HTTP/1.x header parsing helpers (no state, no allocation), shared by the HTTP
// dissector and its tests. Every read is bounded by the view it is given.
#include <cstdint>
#include <string_view>

namespace nms::dpi::http {

// Request methods we accept as HTTP (RFC 9110 + WebDAV + the common extensions).
bool is_method(std::string_view token) noexcept;
// Offset just past "\r\n\r\n" (or "\n\n"), or 0 when the header block is not complete.
size_t header_end(std::string_view data) noexcept;
// The first line of `data` without its line ending.
std::string_view first_line(std::string_view data) noexcept;
// Value of header `name` (case-insensitive) in the header block, trimmed; empty if absent.
std::string_view header(std::string_view block, std::string_view name) noexcept;

struct RequestLine {
    std::string_view method, uri, version;
};
struct StatusLine {
    std::string_view version, status, reason;
};
bool parse_request_line(std::string_view line, RequestLine& out) noexcept;
bool parse_status_line(std::string_view line, StatusLine& out) noexcept;

}  // namespace nms::dpi::http
