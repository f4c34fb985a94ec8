#pragma once
// What every session of one ApiServer shares: the router, the broadcaster and the limits.
// Lives as long as the server's io_context (sessions hold a reference).
#include <atomic>
#include <chrono>
#include <cstddef>

#include "api/broadcaster.hpp"
#include "api/routes.hpp"

namespace nms::api {

struct ServerLimits {
    size_t header_limit = 8 * 1024;          // request line + headers
    size_t body_limit = 64 * 1024;
    std::chrono::seconds read_timeout{15};   // a request must arrive whole within this
    std::chrono::seconds idle_timeout{60};   // keep-alive connection with no request
    std::chrono::seconds write_timeout{15};
    size_t max_requests_per_connection = 10000;
    size_t max_connections = 1024;           // HTTP + WebSocket
    size_t ws_message_limit = 4096;          // client -> server frames are tiny commands
    std::chrono::seconds ws_write_timeout{10};
};

struct ServerContext {
    ServerContext(Router r, ServerLimits l) : router(std::move(r)), limits(l) {}
    Router router;
    Broadcaster broadcaster;
    ServerLimits limits;
    std::atomic<size_t> connections{0};
};

}  // namespace nms::api
