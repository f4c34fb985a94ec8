#include <catch2/catch.hpp>

#include "udp_fixtures.hpp"
#include "udp_test_util.hpp"

using namespace nms::dpi;
using namespace nms::dpi::test;

TEST_CASE("NTPv4 from a real capture", "[dpi][ntp]") {
    const Run r = run_flow({{kNtpV4, true, 0}}, 123, false, 123);
    CHECK(r.app == "ntp");
    REQUIRE(r.events.size() == 1);
    auto e = parse_json(r.events[0]);
    CHECK(e["version"].GetUint() == 4);
    CHECK(std::string(e["mode"].GetString()) == "client");
    CHECK(e["stratum"].GetUint() == 2);
    CHECK(std::string(e["reference_id"].GetString()) == "131.188.3.223");
    for (size_t n = 0; n <= kNtpV4.size(); ++n) {
        const std::vector<char> buf(kNtpV4.begin(), kNtpV4.begin() + static_cast<std::ptrdiff_t>(n));
        const Run t = run_flow({{std::string_view(buf.data(), buf.size()), true, 0}}, 123, false, 123);
        CHECK(t.events.size() == (n >= 48 ? 1u : 0u));
    }
}
