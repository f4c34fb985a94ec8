#pragma once
// Queries: the read side for the REST API, on its own read-only connection (WAL: never
// blocked by the store thread's writes, never blocks them). One Queries per API thread.
// Every query is bounded (limit <= kMaxLimit) and served by an index of 0001/0002.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite.hpp"
#include "store/stats_row.hpp"

namespace nms::store {

struct FlowFilter {
    std::string ip;                      // either endpoint, exact text ("10.0.0.1", "2001:db8::1")
    std::string app_proto;               // "dns", "http", ...; "" = any
    std::optional<uint8_t> proto;        // IP protocol number
    std::optional<uint16_t> port;        // either port
    int64_t since_ns = 0;                // end_ns >= since_ns (0 = no bound)
    int64_t until_ns = 0;                // end_ns <  until_ns (0 = no bound)
    // Keyset pagination, newest first: rows strictly older than (cursor_end_ns, cursor_id).
    // Pass FlowPage::next_* back to get the following page; 0/0 = first page.
    int64_t cursor_end_ns = 0;
    int64_t cursor_id = 0;
    uint32_t limit = 100;
};

struct FlowRow {
    int64_t id = 0;
    uint64_t flow_id = 0;
    int64_t start_ns = 0, end_ns = 0;
    std::string src_ip, dest_ip;
    uint16_t src_port = 0, dest_port = 0;
    uint8_t proto = 0;
    uint16_t vlan = 0;
    std::string app_proto;               // "" = not identified
    uint64_t pkts_toserver = 0, pkts_toclient = 0, bytes_toserver = 0, bytes_toclient = 0;
    std::string state, reason;
    std::optional<uint32_t> tcp_flags, rtt_us, retransmits;
};

struct FlowPage {
    std::vector<FlowRow> rows;
    bool more = false;                   // another page exists
    int64_t next_cursor_end_ns = 0;
    int64_t next_cursor_id = 0;
};

struct DnsNameRow {
    std::string name;
    int64_t first_ns = 0, last_ns = 0;
    uint64_t queries = 0, answers = 0;
    uint16_t last_rrtype = 0;
    std::string last_answer, last_client;
};

class Queries {
 public:
    static constexpr uint32_t kMaxLimit = 1000;
    static constexpr uint32_t kMaxPoints = 10000;

    // Opens DIR/netmonsec.db read-only; throws StoreError if it does not exist yet.
    explicit Queries(const std::string& db_path);

    FlowPage recent_flows(const FlowFilter& filter);
    // Rows of a tier with from_s <= ts < to_s, oldest first, at most max_points (the newest).
    std::vector<StatsRow> stats_history(StatsTier tier, int64_t from_s, int64_t to_s,
                                        uint32_t max_points = kMaxPoints);
    // Names seen, most recent first; `contains` filters by substring ("" = all).
    std::vector<DnsNameRow> dns_names(const std::string& contains, uint32_t limit = 100, uint32_t offset = 0);

    Database& db() noexcept { return db_; }

 private:
    Database db_;
};

}  // namespace nms::store
