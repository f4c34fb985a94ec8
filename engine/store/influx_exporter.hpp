#pragma once
// InfluxExporter: stats rows as InfluxDB line protocol over UDP (Influx's UDP listener,
// Telegraf's socket_listener, ...). Fire and forget from the store thread: a non-blocking
// socket, lines packed into datagrams of at most kMaxDatagram bytes, send errors counted.
//   netmonsec,tier=1s packets=12i,bytes=3400i,pps=12,bps=27200,active_flows=3i,drops=0i,... <ns>
#include <span>
#include <string>
#include <string_view>

#include "store/stats_row.hpp"
#include "store/store_counters.hpp"

namespace nms::store {

// One line (no trailing newline) for a stats row of a tier.
std::string influx_line(const StatsRow& row, StatsTier tier);

class InfluxExporter {
 public:
    static constexpr size_t kMaxDatagram = 1400;  // stays under a 1500-byte MTU

    // endpoint "ADDR:PORT" (IPv4 literal or [IPv6]); throws StoreError when it cannot be used.
    InfluxExporter(std::string_view endpoint, StoreCounters& counters);
    ~InfluxExporter();
    InfluxExporter(const InfluxExporter&) = delete;
    InfluxExporter& operator=(const InfluxExporter&) = delete;

    void send(std::span<const StatsRow> rows, StatsTier tier);

 private:
    void flush(std::string& datagram);

    int fd_ = -1;
    StoreCounters& counters_;
};

}  // namespace nms::store
