#include "api/http_session.hpp"

#include "api/json_writer.hpp"
#include "api/ws_session.hpp"

namespace nms::api {

namespace {

std::string header(const http::request<http::string_body>& req, http::field f) {
    auto it = req.find(f);
    return it == req.end() ? std::string() : std::string(it->value());
}

ApiRequest to_api_request(const http::request<http::string_body>& req, const std::string& peer) {
    ApiRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    r.body = req.body();
    r.host = header(req, http::field::host);
    r.origin = header(req, http::field::origin);
    r.cookie = header(req, http::field::cookie);
    r.authorization = header(req, http::field::authorization);
    r.content_type = header(req, http::field::content_type);
    r.accept_encoding = header(req, http::field::accept_encoding);
    auto it = req.find("X-CSRF-Token");
    if (it != req.end()) r.csrf_token = std::string(it->value());
    r.peer = peer;
    return r;
}

template <class Body>
void security_headers(http::response<Body>& res, const std::string& content_type) {
    res.set(http::field::server, "netmonsec");
    res.set("X-Content-Type-Options", "nosniff");
    res.set("X-Frame-Options", "DENY");
    res.set("Referrer-Policy", "no-referrer");
    if (content_type.starts_with("text/html"))
        res.set("Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
}

}  // namespace

HttpSession::HttpSession(tcp::socket&& socket, ServerContext& ctx)
    : stream_(std::move(socket)), ctx_(ctx), buffer_(ctx.limits.header_limit + ctx.limits.body_limit + 4096) {
    beast::error_code ec;
    const auto ep = stream_.socket().remote_endpoint(ec);
    peer_ = ec ? std::string("unknown") : ep.address().to_string();
}

HttpSession::~HttpSession() {
    if (counted_) ctx_.connections.fetch_sub(1, std::memory_order_relaxed);
}

void HttpSession::run() {
    net::dispatch(stream_.get_executor(), beast::bind_front_handler(&HttpSession::do_read, shared_from_this()));
}

void HttpSession::do_read() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(ctx_.limits.header_limit));
    parser_->body_limit(ctx_.limits.body_limit);
    // The first request gets read_timeout; later ones on a kept-alive connection idle_timeout.
    stream_.expires_after(served_ == 0 ? ctx_.limits.read_timeout : ctx_.limits.idle_timeout);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
}

void HttpSession::on_read(beast::error_code ec, size_t) {
    if (ec == http::error::end_of_stream || ec == net::error::eof) return close();
    if (ec == http::error::header_limit) return refuse(http::status::request_header_fields_too_large, "headers too large");
    if (ec == http::error::body_limit) return refuse(http::status::payload_too_large, "body too large");
    if (ec == beast::error::timeout || ec == net::error::operation_aborted) return close();
    if (ec == http::error::buffer_overflow) return refuse(http::status::request_header_fields_too_large, "request too large");
    if (ec) {
        // Parse errors (bad chunking, bad header syntax, ...) get a 400; socket errors just close.
        if (ec.category() == http::make_error_code(http::error::bad_target).category())
            return refuse(http::status::bad_request, "malformed request");
        return close();
    }
    auto req = parser_->release();
    ++served_;
    const std::string target(req.target());
    if (websocket::is_upgrade(req)) {
        const std::string path = target.substr(0, target.find('?'));
        if (path != "/api/v1/ws") return refuse(http::status::not_found, "no WebSocket here");
        if (auto refusal = ctx_.router.authorize_websocket(to_api_request(req, peer_))) {
            http::response<http::string_body> res{static_cast<http::status>(refusal->status), req.version()};
            res.set(http::field::content_type, refusal->content_type);
            for (const auto& [k, v] : refusal->headers) res.set(k, v);
            res.body() = refusal->payload();
            res.keep_alive(false);
            return send(std::move(res));
        }
        // The connection now belongs to the WebSocket session (it keeps the count).
        counted_ = false;
        std::make_shared<WsSession>(stream_.release_socket(), ctx_)->run(std::move(req));
        return;
    }
    ApiResponse r = ctx_.router.handle(to_api_request(req, peer_));
    const auto head = [&](auto& res) {
        res.set(http::field::content_type, r.content_type);
        bool has_cache_control = false;
        for (const auto& [k, v] : r.headers) {
            res.insert(k, v);  // insert, not set: several Set-Cookie may appear
            has_cache_control |= beast::iequals(k, "Cache-Control");
        }
        if (!has_cache_control) res.set(http::field::cache_control, "no-store");
        security_headers(res, r.content_type);
        res.keep_alive(req.keep_alive() && served_ < ctx_.limits.max_requests_per_connection);
    };
    if (r.file && req.method() != http::verb::head) {
        http::response<http::file_body> res{static_cast<http::status>(r.status), req.version()};
        head(res);
        beast::file f;
        f.native_handle(r.file->release());  // the body owns (and closes) the descriptor now
        beast::error_code file_ec;
        res.body().reset(std::move(f), file_ec);
        if (file_ec) return refuse(http::status::internal_server_error, "cannot read the file");
        res.content_length(r.file->size);
        return send_file(std::move(res));
    }
    http::response<http::string_body> res{static_cast<http::status>(r.status), req.version()};
    head(res);
    const size_t length = r.file ? r.file->size : r.payload().size();
    if (req.method() != http::verb::head) res.body() = r.payload();
    res.content_length(length);
    send(std::move(res));
}

void HttpSession::refuse(http::status status, const char* message) {
    http::response<http::string_body> res{status, 11};
    res.set(http::field::content_type, "application/json");
    res.set(http::field::cache_control, "no-store");
    res.body() = error_json(message);
    res.keep_alive(false);
    res.prepare_payload();
    send(std::move(res));
}

void HttpSession::send(http::response<http::string_body>&& res) {
    if (res.body().size() != 0 && !res.has_content_length()) res.prepare_payload();
    const bool close = !res.keep_alive();
    res_ = std::make_shared<http::response<http::string_body>>(std::move(res));
    stream_.expires_after(ctx_.limits.write_timeout);
    http::async_write(stream_, *res_, beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), close));
}

void HttpSession::send_file(http::response<http::file_body>&& res) {
    const bool close = !res.keep_alive();
    file_res_ = std::make_shared<http::response<http::file_body>>(std::move(res));
    file_sr_ = std::make_shared<http::response_serializer<http::file_body>>(*file_res_);
    write_file_chunk(close);
}

void HttpSession::write_file_chunk(bool close) {
    stream_.expires_after(ctx_.limits.write_timeout);
    http::async_write_some(stream_, *file_sr_,
                           beast::bind_front_handler(&HttpSession::on_file_chunk, shared_from_this(), close));
}

void HttpSession::on_file_chunk(bool close_after, beast::error_code ec, size_t) {
    if (!ec && !file_sr_->is_done()) return write_file_chunk(close_after);
    file_sr_.reset();
    file_res_.reset();  // closes the file
    on_write(close_after, ec, 0);
}

void HttpSession::on_write(bool close_after, beast::error_code ec, size_t) {
    res_.reset();
    if (ec) return close();
    if (close_after) return close();
    do_read();
}

void HttpSession::close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
}

}  // namespace nms::api
