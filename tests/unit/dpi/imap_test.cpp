#include <catch2/catch.hpp>

#include "dpi_test_util.hpp"

using namespace nms::dpi;
using namespace nms::dpi::test;

TEST_CASE("IMAP greeting, tagged commands and STARTTLS", "[dpi][imap]") {
    const std::vector<Seg> segs = {{"* OK [CAPABILITY IMAP4rev1] ready\r\n", false},
                                   {"a001 LOGIN alice secret\r\n", true},
                                   {"a001 OK done\r\n", false},
                                   {"a002 STARTTLS\r\n", true}};
    const auto r = run_flow(segs, 143);
    CHECK(r.app == "imap");
    REQUIRE(r.events.size() == 2);
    CHECK(std::string(r.event(0)["user"].GetString()) == "alice");
    CHECK(std::string(r.event(1)["command"].GetString()) == "STARTTLS");
    CHECK(run_flow({{"* OK hello\r\n", false}}, 9999).app != "imap");
    CHECK(survives_truncations(segs, 143));
    CHECK(survives_corruption(segs, 143));
}
