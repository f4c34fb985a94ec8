#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "dpi/dissectors/http_parse.hpp"
#include "dpi/dpi_engine.hpp"
#include "dpi_test_util.hpp"

using namespace nms;
using namespace nms::dpi;

namespace {

std::string render(const AppEvent& ev) {
    rapidjson::StringBuffer sb;
    JsonWriter w(sb);
    builtin_registry().get(ev.app)->render(ev, w);
    return sb.GetString();
}

}  // namespace

TEST_CASE("HTTP header helpers are bounded and tolerant", "[dpi][http]") {
    CHECK(http::header_end("GET / HTTP/1.1\r\nHost: a\r\n\r\nbody") == 27);
    CHECK(http::header_end("GET / HTTP/1.1\r\nHost: a\r\n") == 0);  // no end of headers yet
    CHECK(http::header_end("") == 0);
    CHECK(http::header("GET / HTTP/1.1\r\nHOST:  example.org \r\n\r\n", "host") == "example.org");
    CHECK(http::header("GET / HTTP/1.1\r\n\r\n", "host").empty());
    http::RequestLine rl;
    CHECK(http::parse_request_line("GET /a?b HTTP/1.0", rl));
    CHECK(rl.uri == "/a?b");
    CHECK_FALSE(http::parse_request_line("FROB / HTTP/1.1", rl));
    http::StatusLine sl;
    CHECK(http::parse_status_line("HTTP/1.1 301 Moved", sl));
    CHECK(sl.status == "301");
    CHECK_FALSE(http::parse_status_line("HTTP/1.1 3x1 Moved", sl));
}

TEST_CASE("HTTP transaction event carries request and response fields", "[dpi][http]") {
    AppEventRing ring(8);
    DpiEngine engine(builtin_registry(), 4, {}, &ring, false);
    auto f = test::tcp_flow();
    engine.on_packet(test::tcp_segment("GET /x HTTP/1.1\r\nHost: example.org\r\nUser-Agent: Wget/1.14\r\n\r\n", true,
                                       1, 1'000'000),
                     f, 0);
    engine.on_packet(test::tcp_segment("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 42\r\n\r\nhello",
                                       false, 1, 3'000'000),
                     f, 0);
    AppEvent ev;
    REQUIRE(ring.pop(ev));
    rapidjson::Document d;
    d.Parse(render(ev).c_str());
    REQUIRE_FALSE(d.HasParseError());
    CHECK(std::string(d["hostname"].GetString()) == "example.org");
    CHECK(std::string(d["url"].GetString()) == "/x");
    CHECK(std::string(d["http_method"].GetString()) == "GET");
    CHECK(std::string(d["http_user_agent"].GetString()) == "Wget/1.14");
    CHECK(d["status"].GetUint() == 200);
    CHECK(std::string(d["http_content_type"].GetString()) == "text/plain");
    CHECK(d["length"].GetUint() == 42);
    CHECK(d["latency_us"].GetUint() == 2000);
}

TEST_CASE("HTTP with no end of headers and hostile lengths never over-reads", "[dpi][http]") {
    AppEventRing ring(8);
    DpiLimits limits;
    limits.stream_bytes = 256;
    DpiEngine engine(builtin_registry(), 4, limits, &ring, false);
    auto f = test::tcp_flow();
    std::string endless = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 40; ++i) endless += "X-Long: " + std::string(50, 'a') + "\r\n";
    uint32_t seq = 1;
    for (size_t off = 0; off < endless.size(); off += 100) {
        const std::string part = endless.substr(off, 100);
        engine.on_packet(test::tcp_segment(part, true, seq, off), f, 0);
        seq += static_cast<uint32_t>(part.size());
    }
    CHECK(engine.counters().stream_overflows > 0);  // dropped and counted, not grown
    engine.on_packet(test::tcp_segment("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n", false,
                                       1, 9),
                     f, 0);
    AppEvent ev;
    REQUIRE(ring.pop(ev));
    rapidjson::Document d;
    d.Parse(render(ev).c_str());
    CHECK_FALSE(d.HasMember("length"));  // absurd length dropped, not wrapped
}

TEST_CASE("HTTP keep-alive: bodies are skipped by length, never buffered, every transaction seen", "[dpi][http]") {
    AppEventRing ring(16);
    DpiEngine engine(builtin_registry(), 4, {}, &ring, false);
    auto f = test::tcp_flow();
    uint32_t up = 1, down = 1;
    TimestampNs ts = 1;
    auto send = [&](const std::string& s, bool to_server) {
        engine.on_packet(test::tcp_segment(s, to_server, to_server ? up : down, ts++), f, 0);
        (to_server ? up : down) += static_cast<uint32_t>(s.size());
    };
    // A 60 kB body in 1400-byte segments; it holds a blank line and an "HTTP/" that are body bytes.
    std::string body(60000, 'x');
    body.replace(1000, 24, "\r\n\r\nHTTP/1.1 404 Fake\r\n\r\n");
    send("GET /big HTTP/1.1\r\nHost: a.example\r\n\r\n", true);
    const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 60000\r\n\r\n";
    send(head + body.substr(0, 1400 - head.size()), false);
    for (size_t off = 1400 - head.size(); off < body.size(); off += 1400) send(body.substr(off, 1400), false);
    // Then a chunked response (length unknown: resync on the next status line).
    send("GET /chunked HTTP/1.1\r\nHost: a.example\r\n\r\n", true);
    send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", false);
    send("HEAD /h HTTP/1.1\r\nHost: a.example\r\n\r\n", true);
    send("HTTP/1.1 200 OK\r\nContent-Length: 123\r\n\r\n", false);   // HEAD: no body follows
    send("GET /last HTTP/1.1\r\nHost: a.example\r\n\r\n", true);
    send("HTTP/1.1 304 Not Modified\r\n\r\n", false);
    engine.on_flow_end(f, 0);
    std::vector<std::string> urls, statuses;
    AppEvent ev;
    while (ring.pop(ev)) {
        rapidjson::Document d;
        d.Parse(render(ev).c_str());
        REQUIRE_FALSE(d.HasParseError());
        urls.emplace_back(d.HasMember("url") ? d["url"].GetString() : "");
        statuses.push_back(d.HasMember("status") ? std::to_string(d["status"].GetUint()) : "");
    }
    CHECK(urls == std::vector<std::string>{"/big", "/chunked", "/h", "/last"});
    CHECK(statuses == std::vector<std::string>{"200", "200", "200", "304"});
    CHECK(engine.counters().stream_overflows == 0);   // the body never piled up in the buffer
}

TEST_CASE("HTTP: every truncation and corruption of a transaction is safe; non-UTF-8 host", "[dpi][http]") {
    const std::vector<test::Seg> tx = {
        {"GET /x?q=1 HTTP/1.1\r\nHost: example.org\r\nUser-Agent: curl/8\r\n\r\n", true},
        {"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello", false}};
    CHECK(test::survives_truncations(tx, 80));
    CHECK(test::survives_corruption(tx, 80));
    const auto r = test::run_flow({{"GET / HTTP/1.1\r\nHost: ex\xff\xfe.org\r\n\r\n", true}}, 80);
    CHECK(r.app == "http");
    REQUIRE(r.events.size() == 1);
    const auto d = r.event(0);
    REQUIRE_FALSE(d.HasParseError());
    CHECK(std::string(d["hostname"].GetString()) == "ex\xef\xbf\xbd\xef\xbf\xbd.org");
}
