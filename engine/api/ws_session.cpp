#include "api/ws_session.hpp"

#include <rapidjson/document.h>

#include "common/log.hpp"

namespace nms::api {

WsSession::WsSession(tcp::socket&& socket, ServerContext& ctx) : ws_(std::move(socket)), ctx_(ctx) {}

WsSession::~WsSession() {
    if (joined_) ctx_.broadcaster.left();
    ctx_.connections.fetch_sub(1, std::memory_order_relaxed);
}

void WsSession::run(http::request<http::string_body> req) {
    beast::get_lowest_layer(ws_).expires_never();  // the websocket stream's own timeouts apply
    // A small kernel send buffer bounds memory per client and lets a stalled reader show up
    // as a stalled write soon (then ws_write_timeout closes it).
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().set_option(net::socket_base::send_buffer_size(64 * 1024), ignored);
    websocket::stream_base::timeout t = websocket::stream_base::timeout::suggested(beast::role_type::server);
    t.handshake_timeout = std::chrono::seconds(10);
    t.idle_timeout = std::chrono::seconds(60);  // pinged at half of it; no answer -> closed
    ws_.set_option(t);
    ws_.read_message_max(ctx_.limits.ws_message_limit);
    ws_.auto_fragment(false);  // one frame per message: fewer headers, simpler clients
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "netmonsec"); }));
    ws_.async_accept(req, beast::bind_front_handler(&WsSession::on_accept, shared_from_this()));
}

void WsSession::on_accept(beast::error_code ec) {
    if (ec) return fail();
    ctx_.broadcaster.join(shared_from_this());
    joined_ = true;
    do_read();
}

void WsSession::do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::on_read, shared_from_this()));
}

void WsSession::on_read(beast::error_code ec, size_t) {
    if (ec) return fail();
    const std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    rapidjson::Document doc;
    doc.Parse(text.c_str(), text.size());
    bool ok = !doc.HasParseError() && doc.IsObject() && doc.HasMember("subscribe") && doc["subscribe"].IsArray();
    bool stats = false;
    if (ok) {
        for (const auto& t : doc["subscribe"].GetArray()) {
            if (t.IsString() && std::string_view(t.GetString()) == "stats") stats = true;
            else ok = false;
        }
    }
    if (!ok) {
        // Unknown commands end the session: the protocol is tiny, so anything else is a bug.
        closed_ = true;
        if (writing_) {  // one write at a time: a close frame cannot go out now
            beast::error_code ignored;
            beast::get_lowest_layer(ws_).socket().close(ignored);
            return;
        }
        ws_.async_close(websocket::close_reason(websocket::close_code::policy_error, "expected {\"subscribe\":[\"stats\"]}"),
                        [self = shared_from_this()](beast::error_code) {});
        return;
    }
    if (stats && !subscribed_stats_) {
        subscribed_stats_ = true;
        if (auto latest = ctx_.broadcaster.latest(Topic::kStats)) offer(std::move(latest));
    }
    do_read();
}

void WsSession::deliver(Topic, std::shared_ptr<const std::string> frame) {
    net::post(ws_.get_executor(), [self = shared_from_this(), f = std::move(frame)]() mutable {
        if (self->subscribed_stats_) self->offer(std::move(f));
    });
}

void WsSession::offer(std::shared_ptr<const std::string> frame) {
    if (closed_) return;
    if (!writing_) return start_write(std::move(frame));
    if (std::chrono::steady_clock::now() - write_started_ > ctx_.limits.ws_write_timeout) {
        log::info("api: closing a WebSocket client that has not taken a frame for %lld s",
                  static_cast<long long>(ctx_.limits.ws_write_timeout.count()));
        closed_ = true;
        beast::error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);  // aborts the stuck write
        return;
    }
    pending_ = std::move(frame);  // latest wins: an older pending frame is dropped
}

void WsSession::start_write(std::shared_ptr<const std::string> frame) {
    writing_ = std::move(frame);
    write_started_ = std::chrono::steady_clock::now();
    ws_.text(true);
    ws_.async_write(net::buffer(*writing_), beast::bind_front_handler(&WsSession::on_write, shared_from_this()));
}

void WsSession::on_write(beast::error_code ec, size_t) {
    writing_.reset();
    if (ec) return fail();
    if (pending_ && !closed_) start_write(std::move(pending_));
}

void WsSession::fail() {
    closed_ = true;
    pending_.reset();
}

}  // namespace nms::api
