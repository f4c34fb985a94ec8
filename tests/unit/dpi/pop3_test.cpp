#include <catch2/catch.hpp>

#include "tcp_fixtures.hpp"

using namespace nms::dpi;
using namespace nms::dpi::test;

TEST_CASE("POP3 pipelined commands get their own status lines", "[dpi][pop3]") {
    const auto r = run_flow(segs_of(kPop3Flow), 110);
    CHECK(r.app == "pop3");
    REQUIRE(r.events.size() == 2);
    auto d = r.event(0);
    CHECK(std::string(d["request"]["command"].GetString()) == "CAPA");
    CHECK(d["response"]["success"].GetBool());
    d = r.event(1);
    CHECK(std::string(d["request"]["command"].GetString()) == "QUIT");
    CHECK(std::string(d["response"]["status_line"].GetString()).find("signing off") != std::string::npos);
}

TEST_CASE("POP3 hides passwords, skips SASL and multi-line bodies", "[dpi][pop3]") {
    const auto r = run_flow({{"+OK POP3 ready\r\n", false}, {"USER bob\r\nPASS secret\r\n", true},
                             {"+OK\r\n+OK logged in\r\n", false}, {"RETR 1\r\n", true},
                             {"+OK 12 octets\r\n+OK not a status\r\n.\r\n", false}, {"AUTH PLAIN\r\n", true},
                             {"+ \r\n", false}, {"AGRPZ2L0YWXP\r\n", true}, {"-ERR no\r\n", false}},
                            110);
    REQUIRE(r.events.size() == 4);
    CHECK(std::string(r.event(1)["request"]["args"][0].GetString()) == "***");
    CHECK(std::string(r.event(2)["response"]["status_line"].GetString()) == "+OK 12 octets");
    CHECK(std::string(r.event(3)["request"]["command"].GetString()) == "AUTH");
    CHECK_FALSE(r.event(3)["response"]["success"].GetBool());
    CHECK(survives_truncations(segs_of(kPop3Flow), 110));
    CHECK(survives_corruption(segs_of(kPop3Flow), 110));
}
