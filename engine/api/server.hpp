#pragma once
// ApiServer: the REST + WebSocket + /metrics + dashboard server, on its own io_context thread
// (never on the packet path). open() binds the port (before privileges are dropped), start()
// runs the thread, stop() closes everything. The Beast types stay behind the pimpl.
#include <memory>
#include <optional>
#include <string>

#include "api/routes.hpp"
#include "api/server_context.hpp"
#include "stats/snapshot.hpp"

namespace nms::api {

class ApiServer {
 public:
    ApiServer(const config::ApiConfig& cfg, UserStore users, ApiHooks hooks, ServerLimits limits = {});
    ~ApiServer();
    ApiServer(const ApiServer&) = delete;
    ApiServer& operator=(const ApiServer&) = delete;

    // Binds and listens on `listen` (ADDR:PORT); an operator-facing message on failure.
    std::optional<std::string> open(const std::string& listen);
    void start();
    void stop();
    // Stats thread, once per tick: WebSocket clients get the snapshot.
    void publish(const stats::Snapshot& snap);
    [[nodiscard]] uint16_t port() const noexcept;
    [[nodiscard]] size_t websocket_clients() const noexcept;

 private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace nms::api
