#pragma once
// What a DNS question name looks like to a tunnel detector: the registered domain it belongs
// to (the zone an attacker would have to own to receive the data) and the shape of the part
// left of it (length, longest label, character entropy). Pure, no allocation: views point
// into the caller's name.
//
// Registered domain without the Public Suffix List: the last two labels, or the last three
// when the second-level label is one of the generic ones ccTLDs put under themselves
// ("co.uk", "com.au", "ne.jp"). Good enough to group a tunnel's queries; a provider zone
// ("cloudfront.net") is handled by the detector's allowlist, not here.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace nms::detect::dns {

struct NameShape {
    std::string_view registered;  // "example.co.uk"; empty when the name is not analysed (see skip)
    std::string_view subdomain;   // labels left of `registered`, without the trailing dot ("" if none)
    uint16_t subdomain_chars = 0; // characters of `subdomain` without the dots
    uint8_t subdomain_labels = 0;
    uint8_t longest_label = 0;    // longest label of `subdomain`
    float entropy = 0;            // Shannon entropy of `subdomain`'s characters, bits per char (case-folded)
    bool service_name = false;    // an underscore label (_dmarc, _domainkey, _ldap._tcp): a protocol lookup
    bool address_like = false;    // every label a short number or one hex digit: a reversed address
                                  // under a DNSBL zone ("4.3.2.1.zen.spamhaus.org"), too narrow for data
    bool skip = false;            // reverse lookup (.arpa), mDNS-style .local, single label, not a hostname
    bool no_domain = false;       // the last label cannot be a TLD (digits, too long): a tunnel talking
                                  // to its server directly ("dnscat.<hex>.<hex>"); registered is empty
                                  // and subdomain is the whole name
};

// Analyses a question name as the DNS dissector prints it (labels joined by '.', no trailing dot).
NameShape analyse_name(std::string_view name) noexcept;

// Shannon entropy in bits per character of `s`, letters case-folded, dots ignored.
float char_entropy(std::string_view s) noexcept;

// Whether `name` equals one of `suffixes` or ends with "." + one of them (case-insensitive).
bool under_any(std::string_view name, std::span<const std::string> suffixes) noexcept;

// A case-insensitive 64-bit hash (names differ in case under resolvers' 0x20 randomisation).
uint64_t name_hash(std::string_view s, uint64_t seed = 0) noexcept;

}  // namespace nms::detect::dns
