#include <catch2/catch.hpp>

#include "tcp_fixtures.hpp"

using namespace nms::dpi;
using namespace nms::dpi::test;

TEST_CASE("MySQL greeting version, login user and queries", "[dpi][mysql]") {
    const auto r = run_flow(segs_of(kMysqlFlow), 3306);
    CHECK(r.app == "mysql");
    REQUIRE(r.events.size() >= 2);
    auto d = r.event(0);
    CHECK(std::string(d["version"].GetString()) == "5.0.54");
    CHECK(std::string(d["user"].GetString()) == "tfoerste");
    CHECK(std::string(r.event(1)["command"].GetString()) == "select @@version_comment limit 1");
}

TEST_CASE("MySQL hostile packets", "[dpi][mysql]") {
    // A 16 MB length: skipped, never buffered.
    auto segs = segs_of(kMysqlFlow);
    segs.push_back({std::string("\xff\xff\xff\x00\x03select", 11), true});
    CHECK(run_flow(segs, 3306).app == "mysql");
    CHECK(survives_truncations(segs_of(kMysqlFlow), 3306));
    CHECK(survives_corruption(segs_of(kMysqlFlow), 3306));
}
