#include "api/static_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "api/json_writer.hpp"

namespace nms::api {
namespace {

bool safe_segment(std::string_view seg) {
    if (seg.empty() || seg.front() == '.') return false;  // also rules out "." and ".."
    for (char c : seg) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

// "/a/b.js" -> "a/b.js"; "" when a segment is not on the whitelist. "/" -> "index.html".
std::string relative_path(const std::string& path, bool& bad) {
    bad = false;
    if (path == "/" || path.empty()) return "index.html";
    if (path.front() != '/' || path.size() > 1024) {
        bad = true;
        return {};
    }
    std::string_view rest(path);
    rest.remove_prefix(1);
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    size_t start = 0;
    while (start <= rest.size()) {
        const size_t slash = rest.find('/', start);
        const std::string_view seg = rest.substr(start, slash == std::string_view::npos ? std::string_view::npos
                                                                                        : slash - start);
        if (!safe_segment(seg)) {
            bad = true;
            return {};
        }
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return std::string(rest);
}

bool has_extension(std::string_view rel) {
    const size_t slash = rel.rfind('/');
    const std::string_view last = slash == std::string_view::npos ? rel : rel.substr(slash + 1);
    return last.find('.') != std::string_view::npos;
}

bool accepts_gzip(const std::string& accept_encoding) {
    // Good enough for browsers: "gzip" listed and not explicitly refused with q=0.
    const size_t at = accept_encoding.find("gzip");
    if (at == std::string::npos) return false;
    const std::string_view after = std::string_view(accept_encoding).substr(at + 4);
    const std::string_view param = after.substr(0, after.find(','));
    return param.find("q=0") == std::string_view::npos || param.find("q=0.") != std::string_view::npos;
}

ApiResponse not_found() {
    ApiResponse r;
    r.status = 404;
    r.body = error_json("not found");
    return r;
}

}  // namespace

StaticFiles::StaticFiles(std::string dir) {
    if (dir.empty()) return;
    char buf[PATH_MAX];
    if (::realpath(dir.c_str(), buf) != nullptr) root_ = buf;
}

const char* StaticFiles::content_type(std::string_view path) {
    struct Type {
        std::string_view ext;
        const char* mime;
    };
    static constexpr Type kTypes[] = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
        {".json", "application/json"}, {".map", "application/json"}, {".svg", "image/svg+xml"},
        {".png", "image/png"}, {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"}, {".gif", "image/gif"},
        {".ico", "image/x-icon"}, {".webp", "image/webp"}, {".woff2", "font/woff2"}, {".woff", "font/woff"},
        {".ttf", "font/ttf"}, {".txt", "text/plain; charset=utf-8"}, {".webmanifest", "application/manifest+json"},
        {".wasm", "application/wasm"},
    };
    for (const auto& t : kTypes)
        if (path.ends_with(t.ext)) return t.mime;
    return "application/octet-stream";
}

bool StaticFiles::read_inside(const std::string& rel, std::string& out) const {
    const std::string full = root_ + "/" + rel;
    char real[PATH_MAX];
    if (::realpath(full.c_str(), real) == nullptr) return false;
    const std::string_view r(real);
    if (!r.starts_with(root_) || r.size() <= root_.size() || r[root_.size()] != '/') return false;  // escaped
    const int fd = ::open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return false;
    struct stat st {};
    bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && static_cast<size_t>(st.st_size) <= kMaxFileBytes;
    if (ok) {
        out.resize(static_cast<size_t>(st.st_size));
        size_t done = 0;
        while (ok && done < out.size()) {
            const ssize_t n = ::read(fd, out.data() + done, out.size() - done);
            if (n <= 0) ok = false;
            else done += static_cast<size_t>(n);
        }
    }
    ::close(fd);
    return ok;
}

ApiResponse StaticFiles::serve(const std::string& path, const std::string& accept_encoding) const {
    if (!enabled()) return not_found();
    bool bad = false;
    std::string rel = relative_path(path, bad);
    if (bad) {
        ApiResponse r;
        r.status = 400;
        r.body = error_json("bad path");
        return r;
    }
    ApiResponse r;
    std::string body;
    bool found = read_inside(rel, body);
    if (!found && !has_extension(rel)) {
        rel = "index.html";  // a client-side route
        found = read_inside(rel, body);
    }
    if (!found) return not_found();
    r.content_type = content_type(rel);
    if (accepts_gzip(accept_encoding)) {
        std::string gz;
        if (read_inside(rel + ".gz", gz)) {
            body = std::move(gz);
            r.headers.emplace_back("Content-Encoding", "gzip");
        }
    }
    r.headers.emplace_back("Vary", "Accept-Encoding");
    // Vite puts content-hashed names under assets/: those never change; index.html always may.
    r.headers.emplace_back("Cache-Control", rel == "index.html"       ? "no-cache"
                                            : rel.starts_with("assets/") ? "public, max-age=31536000, immutable"
                                                                         : "public, max-age=3600");
    r.body = std::move(body);
    return r;
}

}  // namespace nms::api
