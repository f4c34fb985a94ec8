#pragma once
// ApiRequest / ApiResponse: the HTTP exchange as the routes see it, free of Beast types, so
// routes, authentication and rendering are unit-tested without sockets (and compile fast).
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace nms::api {

struct ApiRequest {
    std::string method;           // "GET", "POST", ...
    std::string target;           // path + query as sent: "/api/v1/flows?limit=10"
    std::string body;
    std::string host;
    std::string origin;
    std::string cookie;
    std::string authorization;
    std::string csrf_token;       // X-CSRF-Token
    std::string content_type;
    std::string accept_encoding;
    std::string peer;             // client address text, the rate-limit key
};

// An open regular file sent as the body in chunks (evidence pcaps), never read whole into
// memory. The route opens and checks it (O_NOFOLLOW, fstat); the session takes the descriptor.
struct FileBody {
    int fd = -1;
    uint64_t size = 0;
    FileBody() = default;
    FileBody(int f, uint64_t n) noexcept : fd(f), size(n) {}
    FileBody(const FileBody&) = delete;
    FileBody& operator=(const FileBody&) = delete;
    ~FileBody() {
        if (fd >= 0) ::close(fd);
    }
    [[nodiscard]] int release() noexcept { return std::exchange(fd, -1); }
};

struct ApiResponse {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::shared_ptr<const std::string> shared_body;  // set instead of body for cached renderings
    std::shared_ptr<FileBody> file;                  // set instead of body for streamed files
    std::vector<std::pair<std::string, std::string>> headers;

    [[nodiscard]] const std::string& payload() const { return shared_body ? *shared_body : body; }
};

}  // namespace nms::api
