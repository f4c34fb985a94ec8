#include <catch2/catch.hpp>

#include "tcp_fixtures.hpp"

using namespace nms::dpi;
using namespace nms::dpi::test;

TEST_CASE("MQTT connect, subscribe and publish", "[dpi][mqtt]") {
    const auto r = run_flow(segs_of(kMqttFlow), 1883);
    CHECK(r.app == "mqtt");
    REQUIRE(r.events.size() >= 3);
    auto d = r.event(0);
    CHECK(std::string(d["connect"]["client_id"].GetString()) == "cbaabcbabacbbbbbaaaaab");
    CHECK(std::string(d["connect"]["protocol_string"].GetString()) == "MQIsdp");
    d = r.event(1);
    CHECK(std::string(d["subscribe"]["topics"][0].GetString()) == "astr/s720/02D5050223D3/99");
}

TEST_CASE("MQTT malformed remaining length and truncations", "[dpi][mqtt]") {
    CHECK(run_flow({{std::string("\x10\xff\xff\xff\xff\x7f", 6), true}}, 1883).events.empty());
    CHECK(survives_truncations(segs_of(kMqttFlow), 1883));
    CHECK(survives_corruption(segs_of(kMqttFlow), 1883));
}
