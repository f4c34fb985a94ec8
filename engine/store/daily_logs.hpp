#pragma once
// DailyLogs: flows_YYYYMMDD.ndjson (EVE flow lines), flows_YYYYMMDD.csv (fixed columns) and
// alerts_YYYYMMDD.ndjson (one line per alert lifecycle change) in the data directory, one pair per UTC day. Closed days are gzipped in slices on the
// store thread (zlib, no child process), and the oldest files go first when all log files
// together exceed the size cap. A failed write (disk full) is rolled back to the last
// complete line and counted: a file never holds half a line.
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>

#include "dpi/registry.hpp"
#include "pipeline/flow_record.hpp"
#include "store/store_counters.hpp"

namespace nms::store {

struct DailyLogsOptions {
    std::string dir;
    uint64_t max_total_bytes = 1ull << 30;  // every flows_* / alerts_* file, 0 = no cap
    bool gzip = true;
    uint32_t gzip_slice_bytes = 4u << 20;   // bytes compressed per tick (bounds the pause)
};

// "YYYYMMDD" of a Unix second, UTC.
std::string utc_day(int64_t unix_s);
// The fixed CSV columns (first line of every .csv file).
extern const char* const kFlowCsvHeader;
// One CSV line (with '\n') for a flow record.
void append_flow_csv(std::string& out, const pipeline::FlowRecord& rec, const dpi::Registry* registry);

class DailyLogs {
 public:
    DailyLogs(DailyLogsOptions opts, const dpi::Registry* registry, StoreCounters& counters);
    ~DailyLogs();
    DailyLogs(const DailyLogs&) = delete;
    DailyLogs& operator=(const DailyLogs&) = delete;

    // Appends the records to today's files (today = UTC day of now_s).
    void write(std::span<const pipeline::FlowRecord> flows, int64_t now_s);
    // Appends `count` ready-made NDJSON lines to today's alerts file.
    void write_alerts(const std::string& lines, size_t count, int64_t now_s);
    // Housekeeping, about once a second: rotation, one gzip slice, the size cap.
    void tick(int64_t now_s);
    // Runs gzip slices until every closed day is compressed (tests, shutdown of old days).
    void finish_gzip(int64_t now_s);

 private:
    struct File {
        int fd = -1;
        std::string path;
        uint64_t size = 0;
    };
    struct Gzip;
    bool open_day(const std::string& day);
    bool open_file(File& f, const char* prefix, const char* ext);
    void close_day();
    bool append(File& f, const std::string& data, size_t lines);
    void scan_closed_days(const std::string& today);
    void gzip_step();
    void enforce_cap();

    DailyLogsOptions opts_;
    const dpi::Registry* registry_;
    StoreCounters& counters_;
    std::string day_;
    File ndjson_, csv_, alerts_;
    std::deque<std::string> to_gzip_;
    std::unique_ptr<Gzip> gz_;    // the file being compressed
    int64_t last_scan_s_ = 0;
    std::string buf_;
};

}  // namespace nms::store
