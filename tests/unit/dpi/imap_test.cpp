#include <catch2/catch.hpp>

#include "dpi_test_util.hpp"
#include "tls_fixtures.hpp"

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

TEST_CASE("IMAP STARTTLS and its tagged OK hand the flow to the TLS dissector; a refusal keeps it in IMAP",
          "[dpi][imap][tls]") {
    const std::string hello = from_hex(fx::kTls12Client.data());
    const auto up = run_flow({{"* OK IMAP4rev1 ready\r\n", false},
                              {"a001 CAPABILITY\r\n", true},
                              {"* CAPABILITY IMAP4rev1 STARTTLS\r\na001 OK done\r\n", false},
                              {"a002 STARTTLS\r\n", true},
                              {"a002 OK Begin TLS negotiation now\r\n", false},
                              {hello, true}},
                             143);
    CHECK(up.app == "imap");
    CHECK(up.counters.upgrades == 1);
    REQUIRE(up.events.size() == 3);
    CHECK(std::string(up.event(1)["command"].GetString()) == "STARTTLS");
    CHECK(std::string(up.event(2)["ja3"]["hash"].GetString()) == "bd9c99b3a0f752c3ab8b052a79e9de3e");

    // Refused: the session stays in clear text, the next command is read as IMAP.
    const auto refused = run_flow({{"* OK ready\r\n", false},
                                   {"a002 STARTTLS\r\n", true},
                                   {"a002 BAD TLS not available\r\n", false},
                                   {"a003 LOGIN bob pw\r\n", true},
                                   {"a003 NO bad credentials\r\n", false}},
                                  143);
    CHECK(refused.counters.upgrades == 0);
    REQUIRE(refused.events.size() == 2);
    CHECK(std::string(refused.event(1)["user"].GetString()) == "bob");

    // A reply to another tag does not start TLS: the handshake waits for its own tag.
    const auto other = run_flow({{"* OK ready\r\n", false},
                                 {"a002 STARTTLS\r\n", true},
                                 {"a001 OK stale\r\n", false}},
                                143);
    CHECK(other.counters.upgrades == 0);
}
