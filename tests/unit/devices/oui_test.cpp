#include <catch2/catch.hpp>

#include "devices/oui_db.hpp"

using namespace nms::devices;

TEST_CASE("RFC 4180 fields: quoted commas and doubled quotes", "[devices]") {
    const auto f = split_csv_line("MA-L,00000C,\"Cisco Systems, Inc\",\"170 West \"\"Tasman\"\" Dr.\"\r");
    REQUIRE(f.size() == 4);
    CHECK(f[2] == "Cisco Systems, Inc");
    CHECK(f[3] == "170 West \"Tasman\" Dr.");
    CHECK(split_csv_line("a,,b").size() == 3);
    CHECK(split_csv_line("\"unterminated, x").size() == 1);
}

TEST_CASE("OUI: real ieee-data registry, longest prefix, flags", "[devices]") {
    OuiDb db;
    const long n = db.load_file("/usr/share/ieee-data/oui.csv");
    if (n < 0) {
        WARN("ieee-data not installed: skipped");
        return;
    }
    CHECK(n > 20000);
    CHECK(db.vendor(*mac_parse("00:00:0c:12:34:56")) == "Cisco Systems, Inc");  // quoted in the CSV
    CHECK(db.vendor(*mac_parse("28:cf:e9:21:3c:2b")) == "Apple, Inc.");
    // /28 and /36 blocks: the MA-L entry of the parent says "IEEE Registration Authority".
    REQUIRE(db.load_file("/usr/share/ieee-data/mam.csv") > 1000);
    REQUIRE(db.load_file("/usr/share/ieee-data/oui36.csv") > 1000);
    CHECK(db.vendor(*mac_parse("74:1a:e0:91:23:45")) == "Private");          // MA-M 741AE09
    CHECK(db.vendor(*mac_parse("20:85:93:b1:23:45")) == "IOG Products LLC"); // MA-M 208593B
    CHECK(db.vendor(*mac_parse("70:b3:d5:f2:f1:23")) == "TELEPLATFORMS");    // MA-S 70B3D5F2F
    CHECK(db.vendor(*mac_parse("70:b3:d5:f2:e1:23")) != "TELEPLATFORMS");
    // Locally administered (randomised) and multicast MACs.
    const Mac la = *mac_parse("02:00:0c:12:34:56");
    CHECK(mac_is_local_admin(la));
    CHECK(db.vendor(la).empty());
    CHECK(mac_is_multicast(*mac_parse("01:00:5e:00:00:fb")));
    CHECK_FALSE(mac_is_multicast(*mac_parse("00:00:0c:12:34:56")));
}

TEST_CASE("OUI: missing file is not an error", "[devices]") {
    OuiDb db;
    CHECK(db.load_file("/nonexistent/oui.csv") == -1);
    CHECK(db.vendor(*mac_parse("00:00:0c:12:34:56")).empty());
}
