#include <catch2/catch.hpp>

#include "common/ip_addr.hpp"

using nms::IpAddr;

TEST_CASE("IpAddr parses and prints both families", "[common]") {
    auto v4 = IpAddr::parse("192.0.2.7");
    REQUIRE(v4);
    CHECK(v4->is_v4());
    CHECK(v4->v4() == 0xc0000207u);
    CHECK(v4->to_string() == "192.0.2.7");

    auto v6 = IpAddr::parse("2001:db8:0:0:0:0:0:2");
    REQUIRE(v6);
    CHECK_FALSE(v6->is_v4());
    CHECK(v6->to_string() == "2001:db8::2");  // RFC 5952 form

    CHECK_FALSE(IpAddr::parse("300.1.1.1"));
    CHECK_FALSE(IpAddr::parse(""));
    CHECK_FALSE(IpAddr::parse(std::string(100, '1')));
}

TEST_CASE("IpAddr orders v4 addresses numerically", "[common]") {
    CHECK(*IpAddr::parse("10.0.0.2") < *IpAddr::parse("10.0.0.10"));
    CHECK(IpAddr::from_v4(0x0a000001u) == *IpAddr::parse("10.0.0.1"));
}
