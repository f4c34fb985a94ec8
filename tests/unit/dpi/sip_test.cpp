#include <catch2/catch.hpp>

#include "udp_test_util.hpp"

using namespace nms::dpi;
using namespace nms::dpi::test;

namespace {
const std::string kInvite =
    "INVITE sip:271@192.168.103.40 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.168.10.210:5060;branch=z9hG4bK1\r\n"
    "From: \"Alice\" <sip:281@192.168.10.210>;tag=1\r\n"
    "To: <sip:271@192.168.103.40>\r\n"
    "Call-ID: AI1737AB5491ADC392@192.168.103.40\r\n"
    "CSeq: 1 INVITE\r\n"
    "User-Agent: Grandstream GXP2000\r\n"
    "Content-Length: 0\r\n\r\n";
}  // namespace

TEST_CASE("SIP request and response events", "[dpi][sip]") {
    const Run r = run_flow({{kInvite, true, 0}, {"SIP/2.0 100 Trying\r\nf: <sip:281@x>\r\nt: <sip:271@y>\r\n\r\n", false, 1}},
                           5060, false, 5060);
    CHECK(r.app == "sip");
    REQUIRE(r.events.size() == 2);
    auto q = parse_json(r.events[0]);
    CHECK(std::string(q["method"].GetString()) == "INVITE");
    CHECK(std::string(q["uri"].GetString()) == "sip:271@192.168.103.40");
    CHECK(std::string(q["version"].GetString()) == "SIP/2.0");
    CHECK(std::string(q["from"].GetString()) == "281");
    CHECK(std::string(q["to"].GetString()) == "271");
    CHECK(std::string(q["user_agent"].GetString()) == "Grandstream GXP2000");
    auto a = parse_json(r.events[1]);
    CHECK(std::string(a["code"].GetString()) == "100");
    CHECK(std::string(a["reason"].GetString()) == "Trying");
    CHECK(std::string(a["from"].GetString()) == "281");  // compact header form
}

TEST_CASE("SIP over TCP and truncations", "[dpi][sip]") {
    const Run t = run_flow({{kInvite.substr(0, 30), true, 0, 1}, {kInvite.substr(30), true, 1, 31}}, 5060, true);
    CHECK(t.app == "sip");
    CHECK(t.events.size() == 1);
    for (size_t n = 0; n <= kInvite.size(); ++n)
        for (const auto& e : run_flow({{std::string_view(kInvite).substr(0, n), true, 0}}, 5060).events)
            CHECK_FALSE(parse_json(e).HasParseError());
}

TEST_CASE("SIP hostile: absurd Content-Length, no end of headers, non-UTF-8 names", "[dpi][sip]") {
    std::string huge = kInvite;
    huge.replace(huge.find("Content-Length: 0"), 17, "Content-Length: 99999999999999999999999");
    const Run a = run_flow({{huge, true, 0}}, 5060, false, 5060);
    REQUIRE(a.events.size() == 1);
    CHECK_FALSE(parse_json(a.events[0]).HasParseError());
    // Over TCP the body it announces never comes: no over-read, no unbounded wait.
    const Run t = run_flow({{huge, true, 0, 1}, {kInvite, true, 1, static_cast<uint32_t>(1 + huge.size())}}, 5060, true);
    for (const auto& e : t.events) CHECK_FALSE(parse_json(e).HasParseError());
    const std::string no_end = "INVITE sip:a@b SIP/2.0\r\nFrom: <sip:x@y>\r\nTo: <sip:z@w>";
    for (const auto& e : run_flow({{no_end, true, 0}}, 5060, false, 5060).events)
        CHECK_FALSE(parse_json(e).HasParseError());
    const std::string odd = "INVITE sip:a@b SIP/2.0\r\nFrom: <sip:\xff\xfe@y>\r\nTo: <sip:z@w>\r\n\r\n";
    const Run o = run_flow({{odd, true, 0}}, 5060, false, 5060);
    REQUIRE(o.events.size() == 1);
    auto e = parse_json(o.events[0]);
    REQUIRE_FALSE(e.HasParseError());
    CHECK(std::string(e["from"].GetString()) == "\xef\xbf\xbd\xef\xbf\xbd");
}
