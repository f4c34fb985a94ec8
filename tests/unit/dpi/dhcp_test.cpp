#include <catch2/catch.hpp>

#include "dpi/dissectors/dhcp_parse.hpp"
#include "udp_fixtures.hpp"
#include "udp_test_util.hpp"

using namespace nms;
using namespace nms::dpi;
using namespace nms::dpi::test;

namespace {
ByteView bv(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }
}  // namespace

TEST_CASE("DHCP discover from a real capture: fingerprint, client id, event", "[dpi][dhcp]") {
    dhcp::Dhcp d;
    REQUIRE(dhcp::parse_dhcp(bv(kDhcpDiscover), d));
    CHECK(d.op == 1);
    CHECK(d.msg_type == 1);
    CHECK(d.xid == 0x00003d11);
    REQUIRE(d.chaddr.size == 6);
    char buf[1024];
    const size_t n = dhcp::param_list_string(d.param_list, buf, sizeof buf);
    CHECK(std::string(buf, n) == "1,3,6,42");
    const Run r = run_flow({{kDhcpDiscover, true, 0}}, 67, false, 68);
    CHECK(r.app == "dhcp");
    REQUIRE(r.events.size() == 1);
    auto e = parse_json(r.events[0]);
    REQUIRE_FALSE(e.HasParseError());
    CHECK(std::string(e["type"].GetString()) == "request");
    CHECK(std::string(e["dhcp_type"].GetString()) == "discover");
    CHECK(std::string(e["client_mac"].GetString()) == "00:0b:82:01:fc:42");
    CHECK(std::string(e["param_req_list"].GetString()) == "1,3,6,42");
    CHECK(std::string(e["requested_ip"].GetString()) == "208.67.222.222");
    CHECK(e.HasMember("client_id"));
}

TEST_CASE("DHCP hostname and vendor class; options running off the end", "[dpi][dhcp]") {
    std::string m(236, '\0');
    m[0] = 1, m[1] = 1, m[2] = 6;
    m += lit("\x63\x82\x53\x63");
    m += lit("\x35\x01\x03");
    m += lit("\x0c\x05" "host1");
    m += lit("\x3c\x08" "MSFT 5.0");
    m += lit("\x37\x04\x01\x0f\x03\x06");
    m += lit("\x0c\xff" "x");  // claims 255 bytes, has 1
    dhcp::Dhcp d;
    REQUIRE(dhcp::parse_dhcp(bv(m), d));
    CHECK(d.hostname.as_string() == "host1");
    CHECK(d.vendor_class.as_string() == "MSFT 5.0");
    CHECK(d.options_truncated);
    const Run r = run_flow({{m, true, 0}}, 67, false, 68);
    REQUIRE(r.events.size() == 1);
    auto e = parse_json(r.events[0]);
    CHECK(std::string(e["hostname"].GetString()) == "host1");
    CHECK(std::string(e["vendor_class_identifier"].GetString()) == "MSFT 5.0");
    CHECK(std::string(e["param_req_list"].GetString()) == "1,15,3,6");
    CHECK(std::string(e["dhcp_type"].GetString()) == "request");
}

TEST_CASE("DHCPv6 solicit from a real capture", "[dpi][dhcpv6]") {
    dhcp::Dhcpv6 d;
    REQUIRE(dhcp::parse_dhcpv6(bv(kDhcpv6Solicit), d));
    CHECK(d.msg_type == 1);
    CHECK(d.xid == 0xd8e4fe);
    const Run r = run_flow({{kDhcpv6Solicit, true, 0}}, 547, false, 546);
    CHECK(r.app == "dhcpv6");
    REQUIRE(r.events.size() == 1);
    auto e = parse_json(r.events[0]);
    CHECK(std::string(e["type"].GetString()) == "solicit");
    CHECK(std::string(e["client_duid"].GetString()) == "0001000125e5148e4c6af69ff627");
    CHECK(std::string(e["option_request_list"].GetString()) == "23,24");
    // FQDN and vendor class options.
    std::string m = lit("\x03\x00\x00\x01");
    m += lit("\x00\x27\x00\x0b\x01\x04host\x03lan\x00");
    m += lit("\x00\x10\x00\x0e\x00\x00\x01\x37\x00\x08MSFT 5.0");
    REQUIRE(dhcp::parse_dhcpv6(bv(m), d));
    const Run r2 = run_flow({{m, true, 0}}, 547, false, 546);
    REQUIRE(r2.events.size() == 1);
    auto e2 = parse_json(r2.events[0]);
    CHECK(std::string(e2["client_fqdn"].GetString()) == "host.lan");
    CHECK(std::string(e2["vendor_class"].GetString()) == "MSFT 5.0");
    CHECK(e2["vendor_enterprise"].GetUint() == 311);
}

TEST_CASE("DHCP fixtures: every truncation is safe", "[dpi][dhcp]") {
    for (std::string_view fx : {kDhcpDiscover, kDhcpv6Solicit}) {
        for (size_t n = 0; n <= fx.size(); ++n) {
            std::vector<uint8_t> buf(fx.begin(), fx.begin() + static_cast<std::ptrdiff_t>(n));
            dhcp::Dhcp a;
            dhcp::Dhcpv6 b;
            (void)dhcp::parse_dhcp({buf.data(), buf.size()}, a);
            (void)dhcp::parse_dhcpv6({buf.data(), buf.size()}, b);
            const std::string_view cut(reinterpret_cast<const char*>(buf.data()), buf.size());
            for (const auto& e : run_flow({{cut, true, 0}}, 67, false, 68).events) CHECK_FALSE(parse_json(e).HasParseError());
            for (const auto& e : run_flow({{cut, true, 0}}, 547, false, 546).events) CHECK_FALSE(parse_json(e).HasParseError());
        }
    }
}

TEST_CASE("DHCPv6 hostile: option lengths past the end, FQDN label loops, non-UTF-8 vendor class", "[dpi][dhcpv6]") {
    dhcp::Dhcpv6 d;
    // Client identifier option claiming 0xffff bytes.
    const std::string past_end = lit("\x01\x00\x00\x01\x00\x01\xff\xff\x00\x01");
    (void)dhcp::parse_dhcpv6(bv(past_end), d);
    for (const auto& e : run_flow({{past_end, true, 0}}, 547, false, 546).events) CHECK_FALSE(parse_json(e).HasParseError());
    // FQDN whose label lengths run off the option (and a compression-style byte DHCPv6 forbids).
    std::string fqdn = lit("\x03\x00\x00\x01");
    fqdn += lit("\x00\x27\x00\x06\x01\x3fhost");
    fqdn += lit("\x00\x27\x00\x05\x01\xc0\x0c\x00\x00");
    const Run f = run_flow({{fqdn, true, 0}}, 547, false, 546);
    for (const auto& e : f.events) CHECK_FALSE(parse_json(e).HasParseError());
    // Vendor class with invalid UTF-8: rendered as valid JSON text.
    std::string vendor = lit("\x03\x00\x00\x01");
    vendor += lit("\x00\x10\x00\x0a\x00\x00\x01\x37\x00\x04\xff\xfe\x80\x41");
    const Run v = run_flow({{vendor, true, 0}}, 547, false, 546);
    REQUIRE(v.events.size() == 1);
    auto e = parse_json(v.events[0]);
    REQUIRE_FALSE(e.HasParseError());
    CHECK(std::string(e["vendor_class"].GetString()) == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "A");
    // Every truncation of the hostile messages.
    for (const std::string& m : {past_end, fqdn, vendor})
        for (size_t n = 0; n <= m.size(); ++n)
            for (const auto& ev : run_flow({{std::string_view(m).substr(0, n), true, 0}}, 547, false, 546).events)
                CHECK_FALSE(parse_json(ev).HasParseError());
}
