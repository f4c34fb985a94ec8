#pragma once
// Session: one planned conversation (or one anomaly) as a list of frames to emit in order.
// Planning writes the L7 bytes into `arena`; bulk payload comes from shared pools at emit
// time, so a long transfer costs a Step per frame and no payload memory.
#include <cstdint>
#include <vector>

#include "gen/endpoint.hpp"

namespace nms::gen {

enum class PayloadKind : uint8_t {
    kNone,
    kArena,       // arena[off, off + len)
    kRandom,      // random pool bytes (ciphertext-looking)
    kText,        // printable pool bytes (HTTP bodies)
    kTlsAppData,  // one TLS application-data record header + random bytes, len in total
    kQuicShort,   // QUIC short header with the 8-byte DCID at arena[off] + random bytes
};

struct Step {
    Endpoint src;
    Endpoint dst;
    uint32_t seq = 0;           // TCP; ICMP: id << 16 | sequence
    uint32_t ack = 0;
    uint32_t off = 0;           // into arena or a pool, by kind
    uint16_t len = 0;           // payload bytes
    uint8_t proto = 6;          // 6, 17, 1, 58; 0 = ARP (body in the arena)
    uint8_t flags = 0;          // TCP flags or ICMP type
    PayloadKind kind = PayloadKind::kNone;
    uint8_t ttl = 64;
    bool first = false;         // first frame of a connection: counts a flow
    bool syn_options = false;
};

struct Session {
    std::vector<Step> steps;
    std::vector<uint8_t> arena;
    size_t next = 0;
    uint8_t kind = 0;           // SessionKind (normal) or AnomalyKind (anomaly)
    bool anomaly = false;

    void reset() {
        steps.clear();
        arena.clear();
        next = 0;
    }
    [[nodiscard]] bool done() const noexcept { return next >= steps.size(); }
};

enum class SessionKind : uint8_t {
    kDns, kHttp, kTls, kQuic, kSsh, kSmb2, kDhcp, kMdns, kArp, kBulkTcp, kBulkUdp,
};
inline constexpr int kSessionKinds = 11;
const char* session_kind_name(SessionKind kind) noexcept;

}  // namespace nms::gen
