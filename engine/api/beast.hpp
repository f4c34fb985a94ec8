#pragma once
// The Beast/Asio includes, in one place. Boost 1.74 Asio needs <utility> first with C++20.
// Included only by the API's three network TUs (server.cpp, http_session.cpp, ws_session.cpp).
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace nms::api {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;
}  // namespace nms::api
