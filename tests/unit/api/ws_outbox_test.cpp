// WsOutbox: one WebSocket client's bounded queue. stats/flows: latest wins; alerts/devices:
// FIFO of `capacity`, the oldest dropped and counted on overflow; events go out first.
#include "api/ws_outbox.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace nms::api;

namespace {
Frame f(const std::string& s) { return std::make_shared<const std::string>(s); }
std::string text(const Frame& fr) { return fr ? *fr : std::string("<none>"); }
}  // namespace

TEST_CASE("ws outbox: latest wins for stats and flows, FIFO for alerts and devices", "[api]") {
    WsOutbox box(3);
    CHECK(box.empty());
    CHECK_FALSE(box.next());
    box.push(Topic::kStats, f("stats 1"));
    box.push(Topic::kFlows, f("flows 1"));
    box.push(Topic::kStats, f("stats 2"));  // replaces the unsent stats 1
    box.push(Topic::kAlerts, f("alerts 1"));
    box.push(Topic::kDevices, f("devices 1"));
    CHECK(text(box.next()) == "alerts 1");  // news first, in arrival order
    CHECK(text(box.next()) == "devices 1");
    CHECK(text(box.next()) == "stats 2");
    CHECK(text(box.next()) == "flows 1");
    CHECK_FALSE(box.next());
    CHECK(box.empty());
    CHECK(box.dropped() == 0);
}

TEST_CASE("ws outbox: a client that never drains holds at most capacity events, oldest dropped", "[api]") {
    WsOutbox box(3);
    size_t dropped = 0;
    for (int i = 0; i < 1000; ++i) {
        dropped += box.push(i % 2 ? Topic::kAlerts : Topic::kDevices, f("event " + std::to_string(i)));
        dropped += box.push(Topic::kStats, f("stats " + std::to_string(i)));
        CHECK(box.queued_events() <= 3);
    }
    CHECK(dropped == 997);
    CHECK(box.dropped() == 997);
    CHECK(text(box.next()) == "event 997");  // the newest three survive, oldest first
    CHECK(text(box.next()) == "event 998");
    CHECK(text(box.next()) == "event 999");
    CHECK(text(box.next()) == "stats 999");
    CHECK_FALSE(box.next());
    box.push(Topic::kAlerts, f("x"));
    box.clear();
    CHECK(box.empty());
}
