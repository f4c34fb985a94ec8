#include <catch2/catch.hpp>

#include "tcp_fixtures.hpp"

using namespace nms::dpi;
using namespace nms::dpi::test;

TEST_CASE("RDP connection request cookie and confirm", "[dpi][rdp]") {
    const auto r = run_flow(segs_of(kRdpFlow), 3389);
    CHECK(r.app == "rdp");
    REQUIRE(r.events.size() == 2);
    auto d = r.event(0);
    CHECK(std::string(d["event_type"].GetString()) == "initial_request");
    CHECK(std::string(d["cookie"].GetString()) == "JOHN-PC  ");
    d = r.event(1);
    CHECK(std::string(d["event_type"].GetString()) == "initial_response");
    CHECK(std::string(d["protocol"].GetString()) == "rdp");
}

TEST_CASE("RDP: TPKT off 3389 needs the cookie or negotiation; hostile input", "[dpi][rdp]") {
    // S7comm-like COTP CR on 102 without an RDP cookie is not RDP.
    const std::string cotp("\x03\x00\x00\x16\x11\xe0\x00\x00\x00\x01\x00\xc1\x02\x01\x00\xc2\x02\x01\x02\xc0\x01\x0a", 22);
    CHECK(run_flow({{cotp, true}}, 102).app != "rdp");
    CHECK(survives_truncations(segs_of(kRdpFlow), 3389));
    CHECK(survives_corruption(segs_of(kRdpFlow), 3389));
    CHECK(survives_truncations({{std::string("\x03\x00\x00\x05\x00", 5), true}}, 3389));
}
