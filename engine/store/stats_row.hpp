#pragma once
// StatsRow: one row of stats_1s / stats_1m / stats_1h, as read back (queries, InfluxDB export).
#include <cstdint>
#include <string_view>

namespace nms::store {

enum class StatsTier : uint8_t { k1s, k1m, k1h };

struct StatsRow {
    int64_t ts = 0;
    uint64_t packets = 0, bytes = 0;
    double pps_avg = 0, pps_max = 0, bps_avg = 0, bps_max = 0;
    uint64_t active_flows = 0, drops = 0;
    uint64_t tcp_bytes = 0, udp_bytes = 0, icmp_bytes = 0, other_bytes = 0;
};

inline std::string_view table_of(StatsTier t) noexcept {
    return t == StatsTier::k1s ? "stats_1s" : t == StatsTier::k1m ? "stats_1m" : "stats_1h";
}
inline int64_t seconds_of(StatsTier t) noexcept { return t == StatsTier::k1s ? 1 : t == StatsTier::k1m ? 60 : 3600; }
inline std::string_view name_of(StatsTier t) noexcept { return t == StatsTier::k1s ? "1s" : t == StatsTier::k1m ? "1m" : "1h"; }

// Column list shared by the writer and the readers (order of StatsRow's fields).
inline constexpr std::string_view kStatsColumns =
    "ts, packets, bytes, pps_avg, pps_max, bps_avg, bps_max, active_flows, drops, tcp_bytes, udp_bytes, "
    "icmp_bytes, other_bytes";

}  // namespace nms::store
