#pragma once
// StaticFiles: serves the built dashboard from one directory. Only paths made of
// [A-Za-z0-9._-/] segments that do not start with '.' are looked up; the resolved real path
// must stay inside the directory (a symlink pointing out is refused). Unknown paths without
// a file extension get index.html (client-side routes of a single-page app).
#include <string>

#include "api/api_types.hpp"

namespace nms::api {

class StaticFiles {
 public:
    static constexpr size_t kMaxFileBytes = 32u << 20;

    explicit StaticFiles(std::string dir);
    [[nodiscard]] bool enabled() const noexcept { return !root_.empty(); }
    // GET/HEAD of `path` (no query). Always answers: 200, 400 or 404.
    ApiResponse serve(const std::string& path, const std::string& accept_encoding) const;

    static const char* content_type(std::string_view path);

 private:
    // Reads `rel` (relative, validated) if it is a regular file inside root_.
    bool read_inside(const std::string& rel, std::string& out) const;

    std::string root_;  // realpath of the directory; empty when disabled or missing
};

}  // namespace nms::api
