#pragma once
// WsSession: one authenticated WebSocket client of /api/v1/ws. Reads small JSON commands
// ({"subscribe":["stats"]}); writes frames from the Broadcaster with ONE pending slot: while a
// write is in flight the newest frame replaces the pending one, and a client whose write has
// not finished within ws_write_timeout is disconnected. Memory per client is bounded.
#include <memory>

#include "api/beast.hpp"
#include "api/server_context.hpp"

namespace nms::api {

class WsSession final : public WsClient, public std::enable_shared_from_this<WsSession> {
 public:
    WsSession(tcp::socket&& socket, ServerContext& ctx);
    ~WsSession() override;
    void run(http::request<http::string_body> req);
    void deliver(Topic topic, std::shared_ptr<const std::string> frame) override;

 private:
    void on_accept(beast::error_code ec);
    void do_read();
    void on_read(beast::error_code ec, size_t);
    void offer(std::shared_ptr<const std::string> frame);
    void start_write(std::shared_ptr<const std::string> frame);
    void on_write(beast::error_code ec, size_t);
    void fail();

    websocket::stream<beast::tcp_stream> ws_;
    ServerContext& ctx_;
    beast::flat_buffer buffer_;
    std::shared_ptr<const std::string> writing_;
    std::shared_ptr<const std::string> pending_;
    std::chrono::steady_clock::time_point write_started_;
    bool subscribed_stats_ = false;
    bool joined_ = false;
    bool closed_ = false;
};

}  // namespace nms::api
