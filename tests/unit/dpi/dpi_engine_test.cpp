#include <catch2/catch.hpp>

#include "dpi/dpi_engine.hpp"
#include "dpi_test_util.hpp"

using namespace nms;
using namespace nms::dpi;

namespace {

struct Rig {
    AppEventRing ring{64};
    DpiEngine engine;
    explicit Rig(DpiLimits limits = {}) : engine(builtin_registry(), 16, limits, &ring, false) {}
    std::vector<AppEvent> events() {
        std::vector<AppEvent> out;
        AppEvent ev;
        while (ring.pop(ev)) out.push_back(ev);
        return out;
    }
};

}  // namespace

TEST_CASE("A request split over two segments is classified and parsed whole", "[dpi]") {
    Rig rig;
    auto f = test::tcp_flow();
    const std::string req = "GET /index.html HTTP/1.1\r\nHost: example.org\r\nUser-Agent: curl/8\r\n\r\n";
    const std::string a = req.substr(0, 2), b = req.substr(2);  // "GE" alone cannot be decided
    rig.engine.on_packet(test::tcp_segment(a, true, 1000, 1), f, 0);
    CHECK(f.dpi_state == kDpiClassifying);
    rig.engine.on_packet(test::tcp_segment(b, true, 1002, 2), f, 0);
    CHECK(f.app_proto == builtin_registry().id_of("http"));
    CHECK(f.app_confidence == static_cast<uint8_t>(Confidence::kDpi));
    rig.engine.on_packet(test::tcp_segment("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", false, 5000, 1002),
                         f, 0);
    auto evs = rig.events();
    REQUIRE(evs.size() == 1);
    CHECK(evs[0].flow_id == 7);
    CHECK(evs[0].to_server == false);
}

TEST_CASE("Retransmitted and overlapping segments are not parsed twice", "[dpi]") {
    Rig rig;
    auto f = test::tcp_flow();
    const std::string req = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    rig.engine.on_packet(test::tcp_segment(req, true, 100, 1), f, 0);
    rig.engine.on_packet(test::tcp_segment(req, true, 100, 2), f, 0);  // retransmission
    rig.engine.on_packet(test::tcp_segment("HTTP/1.1 200 OK\r\n\r\n", false, 900, 3), f, 0);
    CHECK(rig.events().size() == 1);
}

TEST_CASE("A flow nothing recognises gives up within the packet budget and keeps its port label", "[dpi]") {
    DpiLimits limits;
    limits.max_packets = 4;
    Rig rig(limits);
    auto f = test::tcp_flow(9, 8080);
    for (uint32_t i = 0; i < 4; ++i) rig.engine.on_packet(test::tcp_segment("\x01\x02\x03garbage", true, 10 * i, i), f, 0);
    CHECK(f.dpi_state == kDpiDone);
    CHECK(f.app_proto == builtin_registry().id_of("http"));  // 8080 is a registered HTTP port
    CHECK(f.app_confidence == static_cast<uint8_t>(Confidence::kPort));
    CHECK(rig.engine.counters().port_labelled == 1);
}

TEST_CASE("A request without a response is still reported when the flow ends", "[dpi]") {
    Rig rig;
    auto f = test::tcp_flow();
    rig.engine.on_packet(test::tcp_segment("POST /login HTTP/1.0\r\nHost: x\r\n\r\n", true, 1, 1), f, 0);
    CHECK(rig.events().empty());
    flow::Flow rec = f;
    rig.engine.on_flow_end(rec, 0);
    CHECK(rig.events().size() == 1);
}

TEST_CASE("Context pool exhaustion is counted and never blocks", "[dpi]") {
    DpiLimits limits;
    limits.max_contexts = 1;
    Rig rig(limits);
    auto f1 = test::tcp_flow(1), f2 = test::tcp_flow(2);
    rig.engine.on_packet(test::tcp_segment("GE", true, 1, 1), f1, 0);
    rig.engine.on_packet(test::tcp_segment("GE", true, 1, 1), f2, 1);
    CHECK(rig.engine.counters().no_context == 1);
    CHECK(f2.dpi_state == kDpiDone);
}
