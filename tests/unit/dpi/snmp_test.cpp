#include <catch2/catch.hpp>

#include "udp_fixtures.hpp"
#include "udp_test_util.hpp"

using namespace nms::dpi;
using namespace nms::dpi::test;

TEST_CASE("SNMPv1 get-next and response from a real capture", "[dpi][snmp]") {
    const Run r = run_flow({{kSnmpGetNext, true, 0}, {kSnmpResponse, false, 1}}, 161);
    CHECK(r.app == "snmp");
    REQUIRE(r.events.size() == 2);
    auto q = parse_json(r.events[0]);
    REQUIRE_FALSE(q.HasParseError());
    CHECK(q["version"].GetUint() == 1);
    CHECK(std::string(q["community"].GetString()) == "public");
    CHECK(std::string(q["pdu_type"].GetString()) == "get_next_request");
    CHECK(std::string(q["vars"][0].GetString()) == "1.3.6.1.2.1.1.5.0");
    auto a = parse_json(r.events[1]);
    CHECK(std::string(a["pdu_type"].GetString()) == "response");
}

TEST_CASE("SNMP: truncations and hostile BER lengths are safe", "[dpi][snmp]") {
    for (std::string_view fx : {kSnmpGetNext, kSnmpResponse}) {
        for (size_t n = 0; n <= fx.size(); ++n) {
            const std::vector<char> buf(fx.begin(), fx.begin() + static_cast<std::ptrdiff_t>(n));
            for (const auto& e : run_flow({{std::string_view(buf.data(), buf.size()), true, 0}}, 161).events)
                CHECK_FALSE(parse_json(e).HasParseError());
        }
    }
    const std::string huge = lit("\x30\x84\xff\xff\xff\xff\x02\x01\x01");
    CHECK(run_flow({{huge, true, 0}}, 161).events.empty());
    const std::string badoid = lit("\x30\x1a\x02\x01\x01\x04\x01x\xa0\x12\x02\x01\x01\x02\x01\x00\x02\x01\x00\x30\x07\x30\x05\x06\x03\xff\xff\xff");
    for (const auto& e : run_flow({{badoid, true, 0}}, 161).events) CHECK_FALSE(parse_json(e).HasParseError());
}
