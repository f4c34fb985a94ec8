#include "store/daily_logs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <vector>

#include "common/log.hpp"
#include "output/eve_format.hpp"

namespace nms::store {

namespace fs = std::filesystem;

const char* const kFlowCsvHeader =
    "start,end,flow_id,src_ip,src_port,dest_ip,dest_port,proto,vlan,app_proto,pkts_toserver,pkts_toclient,"
    "bytes_toserver,bytes_toclient,state,reason\n";

std::string utc_day(int64_t unix_s) {
    const time_t t = static_cast<time_t>(unix_s);
    tm parts{};
    gmtime_r(&t, &parts);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d%02d%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday);
    return buf;
}

void append_flow_csv(std::string& out, const pipeline::FlowRecord& rec, const dpi::Registry* registry) {
    const flow::Flow& f = rec.flow;
    char a[64], b[64], proto[4];
    a[f.client_ip().format(a)] = 0;
    b[f.server_ip().format(b)] = 0;
    const std::string_view app = f.app_proto && registry ? registry->name_of(f.app_proto) : std::string_view();
    char line[512];
    const int n = std::snprintf(
        line, sizeof line, "%s,%s,%llu,%s,%u,%s,%u,%s,%u,%.*s,%u,%u,%llu,%llu,%s,%s\n",
        output::eve_timestamp(f.first_ns).c_str(), output::eve_timestamp(f.last_ns).c_str(),
        static_cast<unsigned long long>(f.flow_id), a, unsigned{f.client_port()}, b, unsigned{f.server_port()},
        output::proto_name(f.key.proto, proto), unsigned{f.key.vlan}, static_cast<int>(app.size()), app.data(),
        f.pkts[0], f.pkts[1], static_cast<unsigned long long>(f.bytes[0]),
        static_cast<unsigned long long>(f.bytes[1]), flow::eve_flow_state(f), flow::eve_end_reason(rec.reason));
    if (n > 0) out.append(line, std::min(static_cast<size_t>(n), sizeof line - 1));
}

// A file being compressed, a slice per tick: src -> src.gz.tmp -> src.gz, then src removed.
struct DailyLogs::Gzip {
    std::string src;
    int fd = -1;
    gzFile out = nullptr;
    ~Gzip() {
        if (fd >= 0) ::close(fd);
        if (out) gzclose(out);
    }
};

DailyLogs::DailyLogs(DailyLogsOptions opts, const dpi::Registry* registry, StoreCounters& counters)
    : opts_(std::move(opts)), registry_(registry), counters_(counters) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(opts_.dir, ec)) {  // leftovers of a crash mid-gzip
        const std::string name = e.path().filename().string();
        if (name.ends_with(".gz.tmp")) fs::remove(e.path(), ec);
    }
}

DailyLogs::~DailyLogs() { close_day(); }

bool DailyLogs::open_file(File& f, const char* prefix, const char* ext) {
    f.path = opts_.dir + "/" + prefix + day_ + ext;
    f.fd = ::open(f.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (f.fd < 0) {
        log::warn("store: cannot open %s: %s", f.path.c_str(), std::strerror(errno));
        return false;
    }
    struct stat st {};
    f.size = fstat(f.fd, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
    return true;
}

bool DailyLogs::open_day(const std::string& day) {
    close_day();
    day_ = day;
    // The alerts file is opened by the day's first alert: most days have none.
    const bool ok = open_file(ndjson_, "flows_", ".ndjson") & open_file(csv_, "flows_", ".csv");
    if (csv_.fd >= 0 && csv_.size == 0) append(csv_, kFlowCsvHeader, 0);
    return ok;
}

void DailyLogs::close_day() {
    for (File* f : {&ndjson_, &csv_, &alerts_}) {
        if (f->fd < 0) continue;
        ::close(f->fd);
        f->fd = -1;
        if (!day_.empty() && opts_.gzip) to_gzip_.push_back(f->path);
    }
    day_.clear();
}

bool DailyLogs::append(File& f, const std::string& data, size_t lines) {
    if (f.fd < 0) {
        counters_.log_write_errors.add(lines);
        return false;
    }
    size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(f.fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            // Roll back to the last complete line so readers never see half a line.
            if (done && ftruncate(f.fd, static_cast<off_t>(f.size)) != 0) {
                log::warn("store: cannot truncate %s after a failed write", f.path.c_str());
            }
            counters_.log_write_errors.add(lines);
            counters_.problem();
            return false;
        }
        done += static_cast<size_t>(n);
    }
    f.size += data.size();
    return true;
}

void DailyLogs::write(std::span<const pipeline::FlowRecord> flows, int64_t now_s) {
    if (flows.empty()) return;
    const std::string day = utc_day(now_s);
    if (day != day_) open_day(day);
    buf_.clear();
    for (const auto& rec : flows) {
        output::append_flow_event(buf_, rec, registry_);
        buf_.push_back('\n');
    }
    if (append(ndjson_, buf_, flows.size())) counters_.log_lines.add(flows.size());
    buf_.clear();
    for (const auto& rec : flows) append_flow_csv(buf_, rec, registry_);
    append(csv_, buf_, flows.size());
}

void DailyLogs::write_alerts(const std::string& lines, size_t count, int64_t now_s) {
    if (count == 0) return;
    const std::string day = utc_day(now_s);
    if (day != day_) open_day(day);
    if (alerts_.fd < 0) open_file(alerts_, "alerts_", ".ndjson");
    if (append(alerts_, lines, count)) counters_.log_lines.add(count);
}

void DailyLogs::scan_closed_days(const std::string& today) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(opts_.dir, ec)) {
        const std::string name = e.path().filename().string();
        if (!(name.starts_with("flows_") || name.starts_with("alerts_")) ||
            !(name.ends_with(".ndjson") || name.ends_with(".csv")))
            continue;
        if (name.find(today) != std::string::npos) continue;
        const std::string p = e.path().string();
        if (std::find(to_gzip_.begin(), to_gzip_.end(), p) == to_gzip_.end() && (!gz_ || gz_->src != p))
            to_gzip_.push_back(p);
    }
}

void DailyLogs::gzip_step() {
    if (!gz_) {
        if (to_gzip_.empty()) return;
        auto g = std::make_unique<Gzip>();
        g->src = to_gzip_.front();
        to_gzip_.pop_front();
        g->fd = ::open(g->src.c_str(), O_RDONLY | O_CLOEXEC);
        if (g->fd < 0) return;  // gone already (deleted by the cap)
        g->out = gzopen((g->src + ".gz.tmp").c_str(), "wb6");
        if (!g->out) return;
        gz_ = std::move(g);
    }
    std::vector<char> chunk(1 << 16);
    uint32_t budget = opts_.gzip_slice_bytes;
    const auto fail = [&](const char* what) {
        log::warn("store: gzip of %s failed (%s); keeping it uncompressed", gz_->src.c_str(), what);
        const std::string tmp = gz_->src + ".gz.tmp";
        gz_.reset();
        ::unlink(tmp.c_str());
        counters_.problem();
    };
    while (budget > 0) {
        const ssize_t n = ::read(gz_->fd, chunk.data(), chunk.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail("read");
        if (n == 0) break;
        if (gzwrite(gz_->out, chunk.data(), static_cast<unsigned>(n)) != static_cast<int>(n)) return fail("write");
        budget -= std::min<uint32_t>(budget, static_cast<uint32_t>(n));
    }
    if (budget == 0) return;  // more next tick
    const int rc = gzclose(gz_->out);
    gz_->out = nullptr;
    if (rc != Z_OK) return fail("close");
    const std::string src = gz_->src;
    gz_.reset();
    if (::rename((src + ".gz.tmp").c_str(), (src + ".gz").c_str()) != 0) return;
    ::unlink(src.c_str());
    counters_.logs_gzipped.add();
}

void DailyLogs::finish_gzip(int64_t now_s) {
    scan_closed_days(utc_day(now_s));
    while (gz_ || !to_gzip_.empty()) gzip_step();
}

void DailyLogs::enforce_cap() {
    if (opts_.max_total_bytes == 0) return;
    struct Entry {
        std::string day, path;
        uint64_t size;
    };
    std::vector<Entry> files;
    uint64_t total = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(opts_.dir, ec)) {
        const std::string name = e.path().filename().string();
        const bool ours = name.starts_with("flows_") || name.starts_with("alerts_");
        const size_t us = name.find('_');
        if (!ours || name.size() < us + 9) continue;
        const uint64_t size = e.file_size(ec);
        if (ec) continue;
        files.push_back({name.substr(us + 1, 8), e.path().string(), size});
        total += size;
    }
    std::sort(files.begin(), files.end(), [](const Entry& a, const Entry& b) { return a.day < b.day; });
    for (const Entry& f : files) {
        if (total <= opts_.max_total_bytes) break;
        if (f.day == day_) break;  // never today's open files
        if (gz_ && gz_->src == f.path) continue;
        if (fs::remove(f.path, ec)) {
            total -= f.size;
            counters_.logs_deleted.add();
        }
    }
}

void DailyLogs::tick(int64_t now_s) {
    const std::string day = utc_day(now_s);
    if (!day_.empty() && day != day_) close_day();  // reopened by the next write
    if (now_s - last_scan_s_ >= 10) {
        last_scan_s_ = now_s;
        if (opts_.gzip) scan_closed_days(day);
        enforce_cap();
    }
    if (opts_.gzip) gzip_step();
}

}  // namespace nms::store
