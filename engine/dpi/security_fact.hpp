#pragma once
// SecurityFact: what a dissector saw that matters to a detector (a DNS query or answer, a
// failed or accepted login). Dissectors report facts through EventSink::security_fact(); the
// DPI engine forwards them, with the packet and flow, to the worker's SecurityFactSink (its
// shard detectors). Like device facts: values are views, valid only during the call.
#include <cstdint>
#include <string_view>

#include "decode/packet_view.hpp"

namespace nms::flow {
struct Flow;
}

namespace nms::dpi {

enum class SecurityFactKind : uint8_t {
    kDnsQuery = 0,      // client -> server: name = qname, qtype
    kDnsResponse,       // server -> client: name = qname, qtype, rcode (3 = NXDOMAIN)
    kLoginFailure,      // name = protocol ("ftp" 530, "smtp" 535, "http" 401, "pop3" -ERR, "imap" NO, ...)
    kLoginSuccess,      // name = protocol
    kCount
};

inline constexpr const char* security_fact_name(SecurityFactKind k) noexcept {
    constexpr const char* kNames[] = {"dns_query", "dns_response", "login_failure", "login_success"};
    return static_cast<size_t>(k) < sizeof kNames / sizeof kNames[0] ? kNames[static_cast<size_t>(k)] : "unknown";
}

struct SecurityFact {
    SecurityFactKind kind = SecurityFactKind::kCount;
    std::string_view name;   // DNS: the query name as text ("a.example.com"); logins: the protocol
    uint16_t qtype = 0;      // DNS only (1 A, 16 TXT, 10 NULL, 28 AAAA, ...)
    uint8_t rcode = 0;       // DNS responses only (0 NOERROR, 3 NXDOMAIN, ...)
};

// Receives facts on the worker thread, on the packet path: must not allocate, throw or log.
class SecurityFactSink {
 public:
    virtual ~SecurityFactSink() = default;
    // `pkt` is null when the fact comes from a flow's end (no current packet).
    virtual void security_fact(const SecurityFact& fact, const decode::PacketView* pkt,
                               const flow::Flow& flow) noexcept = 0;
};

}  // namespace nms::dpi
