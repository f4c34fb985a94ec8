#pragma once
// DnsObservation: the part of a DNS app event the store keeps (the name, the newest answer),
// copied out of the AppEvent on the output thread into the store's bounded queue.
//
// The AppEvent body keys are the DNS dissector's (engine/dpi/dissectors/dns.cpp, enum Field):
// kType 0 (0 = query, 1 = answer), kRrname 3, kRrtype 4, kAnName 32 (starts an answer
// record), kAnAddr 35, kAnText 36. They are mirrored here as kDnsField*; keep both in step
// (tests/unit/store/dns_observation_test.cpp builds events with them).
#include <cstdint>
#include <string_view>

#include "common/ip_addr.hpp"
#include "dpi/app_event.hpp"

namespace nms::store {

inline constexpr uint8_t kDnsFieldType = 0;
inline constexpr uint8_t kDnsFieldRrname = 3;
inline constexpr uint8_t kDnsFieldRrtype = 4;
inline constexpr uint8_t kDnsFieldAnName = 32;
inline constexpr uint8_t kDnsFieldAnAddr = 35;
inline constexpr uint8_t kDnsFieldAnText = 36;

struct DnsObservation {
    static constexpr size_t kNameMax = 255;    // RFC 1035 presentation limit
    static constexpr size_t kAnswerMax = 128;

    TimestampNs ts_ns = 0;
    IpAddr client;
    bool answer = false;        // a response (else a query)
    uint16_t rrtype = 0;
    uint8_t name_len = 0;
    uint8_t answer_len = 0;     // 0 = no address/text answer
    char name[kNameMax];
    char answer_text[kAnswerMax];

    [[nodiscard]] std::string_view name_view() const noexcept { return {name, name_len}; }
    [[nodiscard]] std::string_view answer_view() const noexcept { return {answer_text, answer_len}; }
};

// Fills `out` from a DNS app event; false when it carries no question name.
bool extract_dns_observation(const dpi::AppEvent& ev, DnsObservation& out) noexcept;

}  // namespace nms::store
