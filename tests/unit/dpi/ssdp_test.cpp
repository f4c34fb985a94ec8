#include <catch2/catch.hpp>

#include "dpi/dissectors/ssdp_parse.hpp"
#include "udp_fixtures.hpp"
#include "udp_test_util.hpp"

using namespace nms::dpi;
using namespace nms::dpi::test;

TEST_CASE("SSDP M-SEARCH from a real capture", "[dpi][ssdp]") {
    ssdp::Ssdp s;
    REQUIRE(ssdp::parse_ssdp(kSsdpMsearch, s));
    CHECK(s.method == "M-SEARCH");
    CHECK(s.user_agent == "Google Chrome/99.0.4844.74 Mac OS X");
    const Run r = run_flow({{kSsdpMsearch, true, 0}}, 1900);
    CHECK(r.app == "ssdp");
    REQUIRE(r.events.size() == 1);
    auto e = parse_json(r.events[0]);
    CHECK(std::string(e["method"].GetString()) == "M-SEARCH");
    CHECK(std::string(e["uri"].GetString()) == "*");
    CHECK(std::string(e["host"].GetString()) == "239.255.255.250:1900");
    CHECK(std::string(e["st"].GetString()) == "urn:dial-multiscreen-org:service:dial:1");
    CHECK(std::string(e["user_agent"].GetString()) == "Google Chrome/99.0.4844.74 Mac OS X");
}

TEST_CASE("SSDP response and NOTIFY; truncations are safe", "[dpi][ssdp]") {
    const std::string notify = "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nNT: upnp:rootdevice\r\n"
                               "NTS: ssdp:alive\r\nSERVER: Linux/3.0 UPnP/1.0 Box/1\r\nUSN: uuid:1::upnp:rootdevice\r\n\r\n";
    const Run r = run_flow({{notify, true, 0}}, 1900);
    REQUIRE(r.events.size() == 1);
    auto e = parse_json(r.events[0]);
    CHECK(std::string(e["server"].GetString()) == "Linux/3.0 UPnP/1.0 Box/1");
    CHECK(std::string(e["nts"].GetString()) == "ssdp:alive");
    const Run resp = run_flow({{"HTTP/1.1 200 OK\r\nST: ssdp:all\r\nLOCATION: http://10.0.0.2/d.xml\r\n\r\n", false, 0}}, 1900);
    CHECK(resp.app == "ssdp");
    REQUIRE(resp.events.size() == 1);
    CHECK(parse_json(resp.events[0])["status"].GetUint() == 200);
    for (size_t n = 0; n <= kSsdpMsearch.size(); ++n) {
        const std::vector<char> buf(kSsdpMsearch.begin(), kSsdpMsearch.begin() + static_cast<std::ptrdiff_t>(n));
        for (const auto& ev : run_flow({{std::string_view(buf.data(), buf.size()), true, 0}}, 1900).events)
            CHECK_FALSE(parse_json(ev).HasParseError());
    }
}

TEST_CASE("SSDP hostile: no end of headers, over-long and non-UTF-8 header values", "[dpi][ssdp]") {
    const std::string endless = "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nST: ssdp:all\r\nMX: 2";
    const Run a = run_flow({{endless, true, 0}}, 1900);
    for (const auto& e : a.events) CHECK_FALSE(parse_json(e).HasParseError());
    const std::string long_ua = "M-SEARCH * HTTP/1.1\r\nUSER-AGENT: " + std::string(3000, 'u') +
                                "\r\nST: urn:x\xff\xfe:1\r\n\r\n";
    const Run b = run_flow({{long_ua, true, 0}}, 1900);
    REQUIRE(b.events.size() == 1);
    auto e = parse_json(b.events[0]);
    REQUIRE_FALSE(e.HasParseError());
    if (e.HasMember("user_agent")) CHECK(e["user_agent"].GetStringLength() < 3000);  // bounded copy
    REQUIRE(e.HasMember("st"));
    CHECK(std::string(e["st"].GetString()) == "urn:x\xef\xbf\xbd\xef\xbf\xbd:1");  // invalid bytes -> U+FFFD
    // Corrupted bytes of the real capture's M-SEARCH.
    for (size_t pos = 0; pos < kSsdpMsearch.size(); pos += 5) {
        std::string bad(kSsdpMsearch);
        bad[pos] = static_cast<char>(bad[pos] ^ 0xa5);
        for (const auto& ev : run_flow({{bad, true, 0}}, 1900).events) CHECK_FALSE(parse_json(ev).HasParseError());
    }
}
