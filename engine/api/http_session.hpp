#pragma once
// HttpSession: one HTTP/1.1 connection. Requests are read and answered one at a time, so a
// client that pipelines gets its requests served in order with at most one in flight and the
// rest left unread in the bounded buffer (the pipelining cap). Limits: header and body size,
// read/idle/write timeouts, requests per connection. An upgrade on /api/v1/ws is
// authenticated, then the socket moves to a WsSession.
#include <memory>
#include <optional>

#include "api/beast.hpp"
#include "api/server_context.hpp"

namespace nms::api {

class HttpSession final : public std::enable_shared_from_this<HttpSession> {
 public:
    HttpSession(tcp::socket&& socket, ServerContext& ctx);
    ~HttpSession();
    void run();

 private:
    void do_read();
    void on_read(beast::error_code ec, size_t);
    void send(http::response<http::string_body>&& res);
    // A file body goes out in chunks; the write timeout applies to each chunk (progress), so a
    // large download on a slow link is fine and a stalled client is still dropped.
    void send_file(http::response<http::file_body>&& res);
    void write_file_chunk(bool close);
    void on_file_chunk(bool close, beast::error_code ec, size_t);
    void on_write(bool close, beast::error_code ec, size_t);
    void refuse(http::status status, const char* message);
    void close();

    beast::tcp_stream stream_;
    ServerContext& ctx_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::shared_ptr<http::response<http::string_body>> res_;
    std::shared_ptr<http::response<http::file_body>> file_res_;
    std::shared_ptr<http::response_serializer<http::file_body>> file_sr_;
    std::string peer_;
    size_t served_ = 0;
    bool counted_ = true;  // still counted in ctx_.connections (false once a WsSession took over)
};

}  // namespace nms::api
