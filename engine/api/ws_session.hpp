#pragma once
// WsSession: one authenticated WebSocket client of /api/v1/ws. Reads small JSON commands
// ({"subscribe":["stats","alerts","devices","flows"]}); writes the Broadcaster's frames one at
// a time from a bounded WsOutbox (latest-wins for stats and flows, a FIFO of kMaxQueuedEvents
// for alerts and devices). A client whose write has not finished within ws_write_timeout is
// disconnected. Memory per client is bounded.
#include <atomic>
#include <memory>

#include "api/beast.hpp"
#include "api/server_context.hpp"
#include "api/ws_outbox.hpp"

namespace nms::api {

class WsSession final : public WsClient, public std::enable_shared_from_this<WsSession> {
 public:
    static constexpr size_t kMaxQueuedEvents = 32;  // alerts + devices frames waiting for one client

    WsSession(tcp::socket&& socket, ServerContext& ctx);
    ~WsSession() override;
    void run(http::request<http::string_body> req);
    [[nodiscard]] unsigned topics() const noexcept override { return topics_.load(std::memory_order_relaxed); }
    void deliver(const TickFrames& frames) override;

 private:
    void on_accept(beast::error_code ec);
    void do_read();
    void on_read(beast::error_code ec, size_t);
    void close_with_policy_error();
    void enqueue(Topic topic, Frame frame) {
        if (outbox_.push(topic, std::move(frame))) ctx_.broadcaster.count_dropped(1);
    }
    // Starts the next write if none is in flight: events first (they are news), then stats, flows.
    void write_next();
    void on_write(beast::error_code ec, size_t);
    [[nodiscard]] bool write_stuck() const;
    void fail();

    websocket::stream<beast::tcp_stream> ws_;
    ServerContext& ctx_;
    beast::flat_buffer buffer_;
    Frame writing_;
    WsOutbox outbox_{kMaxQueuedEvents};
    std::chrono::steady_clock::time_point write_started_;
    std::atomic<unsigned> topics_{0};
    bool joined_ = false;
    bool closed_ = false;
};

}  // namespace nms::api
