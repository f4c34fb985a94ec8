#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "detect/dns_name.hpp"

using namespace nms::detect::dns;

TEST_CASE("registered domain: last two labels, three under a ccTLD's generic second level", "[detect][dns]") {
    CHECK(analyse_name("www.example.com").registered == "example.com");
    CHECK(analyse_name("www.example.com").subdomain == "www");
    CHECK(analyse_name("a.b.example.co.uk").registered == "example.co.uk");
    CHECK(analyse_name("a.b.example.co.uk").subdomain == "a.b");
    CHECK(analyse_name("shop.example.com.au").registered == "example.com.au");
    CHECK(analyse_name("example.com").subdomain.empty());
    CHECK(analyse_name("example.com").registered == "example.com");
    CHECK(analyse_name("example.co.uk").subdomain.empty());
    // "co" under a 3-letter TLD is an ordinary name.
    CHECK(analyse_name("x.co.com").registered == "co.com");
    CHECK(analyse_name("www.example.com.").registered == "example.com");
}

TEST_CASE("reverse lookups, .local and single labels are not analysed", "[detect][dns]") {
    CHECK(analyse_name("4.3.2.1.in-addr.arpa").skip);
    CHECK(analyse_name("b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa").skip);
    CHECK(analyse_name("printer.local").skip);
    CHECK(analyse_name("wpad").skip);
    CHECK(analyse_name("").skip);
    CHECK(analyse_name(".").skip);
    CHECK(analyse_name("..").skip);
}

TEST_CASE("subdomain shape: length, labels, longest label, entropy", "[detect][dns]") {
    const auto s = analyse_name("aGVsbG8gd29ybGQgdGhpcyBpcyBh.dGVzdCBvZiBhIHR1bm5lbA.t.example.org");
    CHECK(s.registered == "example.org");
    CHECK(s.subdomain_labels == 3);
    CHECK(s.longest_label == 28);
    CHECK(s.subdomain_chars == 28 + 22 + 1);
    CHECK(s.entropy > 4.0f);
    const auto plain = analyse_name("mail.example.org");
    CHECK(plain.entropy < 2.1f);
    CHECK(char_entropy("aaaa") == 0.0f);
    CHECK(char_entropy("abab") == Approx(1.0f));
    CHECK(char_entropy("AbaB") == Approx(1.0f));  // case-folded: 0x20 randomisation changes nothing
    CHECK(char_entropy("") == 0.0f);
}

TEST_CASE("service names (_dmarc, DKIM, SRV) are flagged", "[detect][dns]") {
    CHECK(analyse_name("_dmarc.example.com").service_name);
    CHECK(analyse_name("s2048._domainkey.example.com").service_name);
    CHECK(analyse_name("_ldap._tcp.dc._msdcs.corp.example.com").service_name);
    CHECK_FALSE(analyse_name("www.example.com").service_name);
}

TEST_CASE("suffix allowlist matches whole labels, case-insensitively", "[detect][dns]") {
    const std::vector<std::string> list = {"cloudfront.net", "akamaiedge.net"};
    CHECK(under_any("d3abcdef123.cloudfront.net", list));
    CHECK(under_any("D3ABC.CloudFront.NET.", list));
    CHECK(under_any("cloudfront.net", list));
    CHECK_FALSE(under_any("evilcloudfront.net", list));
    CHECK_FALSE(under_any("cloudfront.net.evil.com", list));
    CHECK_FALSE(under_any("x.example.com", {}));
}

TEST_CASE("name hash ignores case and separates names", "[detect][dns]") {
    CHECK(name_hash("AbC.example.com") == name_hash("abc.EXAMPLE.com"));
    CHECK(name_hash("abd.example.com") != name_hash("abc.example.com"));
    CHECK(name_hash("x", 1) != name_hash("x", 2));
}

TEST_CASE("reversed addresses under a DNSBL zone are address-like", "[detect][dns]") {
    CHECK(analyse_name("4.3.2.10.zen.spamhaus.org").address_like);
    CHECK(analyse_name("b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.dnsbl.example.net").address_like);
    CHECK(analyse_name("4.3.2.1.example.com").address_like);
    CHECK_FALSE(analyse_name("4.3.2.example.com").address_like);
    CHECK_FALSE(analyse_name("1234.3.2.1.zen.spamhaus.org").address_like);
    CHECK_FALSE(analyse_name("www.example.com").address_like);
    CHECK_FALSE(analyse_name("5.example.com").address_like);  // one label: a host name, not an address
    CHECK_FALSE(analyse_name("a1b2c3.d4.example.com").address_like);
}

TEST_CASE("a last label that cannot be a TLD: the whole name is the subdomain", "[detect][dns]") {
    const auto s = analyse_name("dnscat.546b03f50000000000a6023ed4df184d6ac5c2628b47714fdee584fed739.5a03b5b1e1aa8f8f");
    CHECK(s.no_domain);
    CHECK(s.registered.empty());
    CHECK(s.subdomain.size() == 6 + 1 + 60 + 1 + 16);
    CHECK(s.longest_label == 60);
    CHECK_FALSE(analyse_name("www.example.xn--p1ai").no_domain);
    CHECK_FALSE(analyse_name("www.example.travel").no_domain);
    CHECK(analyse_name("host.10").no_domain);
}
