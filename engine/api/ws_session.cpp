#include "api/ws_session.hpp"

#include <rapidjson/document.h>

#include "common/log.hpp"

namespace nms::api {

WsSession::WsSession(tcp::socket&& socket, ServerContext& ctx) : ws_(std::move(socket)), ctx_(ctx) {}

WsSession::~WsSession() {
    if (outbox_.dropped())
        log::info("api: a slow WebSocket client lost %llu alert/device frame(s)",
                  static_cast<unsigned long long>(outbox_.dropped()));
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
    unsigned wanted = 0;
    if (ok) {
        for (const auto& t : doc["subscribe"].GetArray()) {
            size_t i = 0;
            while (i < kTopicCount && !(t.IsString() && std::string_view(t.GetString()) == kTopicNames[i])) ++i;
            if (i == kTopicCount) ok = false;
            else wanted |= 1u << i;
        }
    }
    // Unknown commands end the session: the protocol is tiny, so anything else is a bug.
    if (!ok) return close_with_policy_error();
    const unsigned added = wanted & ~topics();
    topics_.fetch_or(wanted, std::memory_order_relaxed);
    for (Topic t : {Topic::kStats, Topic::kFlows})  // a new subscriber gets the current view at once
        if (added & (1u << static_cast<unsigned>(t)))
            if (auto latest = ctx_.broadcaster.latest(t)) enqueue(t, std::move(latest));
    write_next();
    do_read();
}

void WsSession::close_with_policy_error() {
    closed_ = true;
    if (writing_) {  // one write at a time: a close frame cannot go out now
        beast::error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
        return;
    }
    ws_.async_close(websocket::close_reason(websocket::close_code::policy_error,
                                            "expected {\"subscribe\":[\"stats\",\"alerts\",\"devices\",\"flows\"]}"),
                    [self = shared_from_this()](beast::error_code) {});
}

void WsSession::deliver(const TickFrames& frames) {
    net::post(ws_.get_executor(), [self = shared_from_this(), frames]() mutable {
        if (self->closed_) return;
        if (self->writing_ && self->write_stuck()) {
            log::info("api: closing a WebSocket client that has not taken a frame for %lld s",
                      static_cast<long long>(self->ctx_.limits.ws_write_timeout.count()));
            self->closed_ = true;
            beast::error_code ignored;
            beast::get_lowest_layer(self->ws_).socket().close(ignored);  // aborts the stuck write
            return;
        }
        const unsigned mine = self->topics();
        for (size_t i = 0; i < kTopicCount; ++i)
            if (frames[i] && (mine & (1u << i))) self->enqueue(static_cast<Topic>(i), std::move(frames[i]));
        self->write_next();
    });
}

bool WsSession::write_stuck() const {
    return std::chrono::steady_clock::now() - write_started_ > ctx_.limits.ws_write_timeout;
}

void WsSession::write_next() {
    if (closed_ || writing_) return;
    writing_ = outbox_.next();
    if (!writing_) return;
    write_started_ = std::chrono::steady_clock::now();
    ws_.text(true);
    ws_.async_write(net::buffer(*writing_), beast::bind_front_handler(&WsSession::on_write, shared_from_this()));
}

void WsSession::on_write(beast::error_code ec, size_t) {
    writing_.reset();
    if (ec) return fail();
    write_next();
}

void WsSession::fail() {
    closed_ = true;
    outbox_.clear();
}

}  // namespace nms::api
