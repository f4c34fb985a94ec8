// DNS names from app events: the question name, query/answer, the first address answer,
// and bytes outside printable ASCII made safe for text columns.
#include <catch2/catch.hpp>

#include "store/dns_observation.hpp"
#include "store_test_util.hpp"

using namespace nms;
using namespace nms::store;

TEST_CASE("a DNS query event gives its name and client", "[store]") {
    DnsObservation o;
    REQUIRE(extract_dns_observation(test::make_dns_event(5, false, "www.example.org", 77), o));
    CHECK(o.name_view() == "www.example.org");
    CHECK_FALSE(o.answer);
    CHECK(o.rrtype == 1);
    CHECK(o.ts_ns == 77);
    CHECK(o.client.to_string() == "10.0.0.7");
    CHECK(o.answer_view().empty());
}

TEST_CASE("a DNS answer event gives the first address", "[store]") {
    const uint8_t a[4] = {198, 51, 100, 7};
    DnsObservation o;
    REQUIRE(extract_dns_observation(test::make_dns_event(5, true, "x.test", 1, a), o));
    CHECK(o.answer);
    CHECK(o.answer_view() == "198.51.100.7");
}

TEST_CASE("events without a name or with odd bytes are handled", "[store]") {
    dpi::AppEvent ev{};
    DnsObservation o;
    CHECK_FALSE(extract_dns_observation(ev, o));
    const std::string odd("a\x01\xff" "b", 4);
    REQUIRE(extract_dns_observation(test::make_dns_event(5, false, odd, 1), o));
    CHECK(o.name_view() == "a??b");
}
