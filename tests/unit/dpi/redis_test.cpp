#include <catch2/catch.hpp>

#include "tcp_fixtures.hpp"

using namespace nms::dpi;
using namespace nms::dpi::test;

TEST_CASE("Redis RESP commands, secrets hidden", "[dpi][redis]") {
    const auto r = run_flow(segs_of(kRedisFlow), 6379);
    CHECK(r.app == "redis");
    REQUIRE(r.events.size() == 2);
    const auto d = r.event(0);
    CHECK(std::string(d["command"].GetString()) == "AUTH");
    CHECK(std::string(d["args"][0].GetString()) == "notauser");
    CHECK(std::string(d["args"][1].GetString()) == "***");
}

TEST_CASE("Redis inline commands on its port; RESP anywhere; hostile lengths", "[dpi][redis]") {
    CHECK(run_flow({{"PUBLISH Foo bar\r\n", true}}, 6379).app == "redis");
    CHECK(run_flow({{"PUBLISH Foo bar\r\n", true}}, 7000).app != "redis");
    CHECK(run_flow({{"*1\r\n$4\r\nPING\r\n", true}}, 7000).app == "redis");
    CHECK(run_flow({{"*1\r\n$99999999999\r\nPING\r\n", true}}, 6379).events.empty());
    CHECK(survives_truncations(segs_of(kRedisFlow), 6379));
    CHECK(survives_corruption(segs_of(kRedisFlow), 6379));
}
