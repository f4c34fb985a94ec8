#include "api/server.hpp"

#include <thread>

#include "api/beast.hpp"
#include "api/http_session.hpp"
#include "common/cpu.hpp"
#include "common/log.hpp"

namespace nms::api {

struct ApiServer::Impl {
    // Destroyed in reverse order: the io_context (and the sessions its handlers hold) goes
    // before the context they reference.
    ServerContext ctx;
    net::io_context ioc{1};
    tcp::acceptor acceptor{ioc};
    std::thread thread;
    uint16_t port = 0;

    Impl(Router r, ServerLimits l) : ctx(std::move(r), l) {}

    void do_accept() {
        acceptor.async_accept(ioc, [this](beast::error_code ec, tcp::socket socket) {
            if (ec == net::error::operation_aborted) return;
            if (!ec) {
                if (ctx.connections.load(std::memory_order_relaxed) >= ctx.limits.max_connections) {
                    beast::error_code ignored;
                    socket.close(ignored);  // over the cap: refuse rather than queue
                } else {
                    ctx.connections.fetch_add(1, std::memory_order_relaxed);
                    std::make_shared<HttpSession>(std::move(socket), ctx)->run();
                }
            }
            do_accept();
        });
    }
};

ApiServer::ApiServer(const config::ApiConfig& cfg, UserStore users, ApiHooks hooks, ServerLimits limits) {
    limits.ws_write_timeout = std::chrono::seconds(cfg.ws_write_timeout_s);
    auto* self = this;
    // The router asks for the WebSocket client count; the server answers.
    hooks.websocket_clients = [self] { return self->websocket_clients(); };
    hooks.websocket_frames_dropped = [self] { return self->impl_->ctx.broadcaster.dropped(); };
    impl_ = std::make_unique<Impl>(Router(cfg, std::move(users), std::move(hooks)), limits);
}

ApiServer::~ApiServer() { stop(); }

std::optional<std::string> ApiServer::open(const std::string& listen) {
    const size_t colon = listen.rfind(':');
    std::string host = listen.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    beast::error_code ec;
    const auto addr = net::ip::make_address(host, ec);
    if (ec || colon == std::string::npos) return "api.listen = \"" + listen + "\" is not ADDR:PORT";
    const auto port = static_cast<uint16_t>(std::stoul(listen.substr(colon + 1)));
    const tcp::endpoint ep(addr, port);
    auto& a = impl_->acceptor;
    a.open(ep.protocol(), ec);
    if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) a.bind(ep, ec);
    if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
        return "cannot listen on " + listen + ": " + ec.message() +
               " (another process on that port? change api.listen or --listen, or use --no-api)";
    impl_->port = a.local_endpoint().port();
    return std::nullopt;
}

void ApiServer::start() {
    if (!impl_->acceptor.is_open() || impl_->thread.joinable()) return;
    impl_->do_accept();
    impl_->thread = std::thread([this] {
        name_current_thread("nms-api");  // per-thread CPU in top/ps and bench/api_load.py
        try {
            impl_->ioc.run();
        } catch (const std::exception& e) {
            log::error("api: server thread stopped: %s", e.what());
        }
    });
}

void ApiServer::stop() {
    if (!impl_) return;
    impl_->ctx.broadcaster.stop();
    net::post(impl_->ioc, [this] {
        beast::error_code ignored;
        impl_->acceptor.close(ignored);
    });
    impl_->ioc.stop();
    if (impl_->thread.joinable()) impl_->thread.join();
}

void ApiServer::publish(const stats::Snapshot& snap) { impl_->ctx.broadcaster.publish(snap); }

uint16_t ApiServer::port() const noexcept { return impl_->port; }

size_t ApiServer::websocket_clients() const noexcept { return impl_->ctx.broadcaster.clients(); }

}  // namespace nms::api
