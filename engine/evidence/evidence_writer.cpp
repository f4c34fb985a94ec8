#include "evidence/evidence_writer.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "common/cpu.hpp"
#include "common/log.hpp"
#include "gen/pcap_writer.hpp"

namespace nms::evidence {
namespace fs = std::filesystem;
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(100);

struct RecordRef {
    TimestampNs ts;
    const uint8_t* p;  // record header
};

}  // namespace

EvidenceWriter::EvidenceWriter(EvidenceWriterOptions opts, std::vector<EvidenceCollector*> collectors,
                               EvidenceListener listener)
    : opts_(std::move(opts)), collectors_(std::move(collectors)), listener_(std::move(listener)) {}

EvidenceWriter::~EvidenceWriter() { stop(); }

std::optional<std::string> EvidenceWriter::open() {
    std::error_code ec;
    fs::create_directories(opts_.dir, ec);
    if (ec || !fs::is_directory(opts_.dir, ec))
        return "evidence: cannot create " + opts_.dir + ": " + ec.message() + " (fix storage.data_dir, or set evidence.enabled = false)";
    return std::nullopt;
}

void EvidenceWriter::start() {
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

void EvidenceWriter::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    drain_once(true);
}

void EvidenceWriter::run() {
    name_current_thread("nms-evidence");
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        drain_once(false);
        lock.lock();
        cv_.wait_for(lock, kPollInterval, [this] { return stopping_; });
    }
}

size_t EvidenceWriter::drain_once(bool final) {
    uint64_t parts = 0;
    for (EvidenceCollector* c : collectors_) {
        while (auto part = c->take_part()) {
            ++parts;
            Group& g = groups_[part->request.alert_id];
            g.expected = std::max(g.expected, part->request.parts);
            g.parts.push_back(std::move(part));
        }
    }
    if (parts) {
        std::lock_guard lock(mutex_);
        counters_.parts += parts;
    }
    size_t written = 0;
    for (auto it = groups_.begin(); it != groups_.end();) {
        if (final || it->second.parts.size() >= it->second.expected) {
            if (write_group(it->first, it->second)) ++written;
            it = groups_.erase(it);
        } else {
            ++it;
        }
    }
    if (written) enforce_limits();
    return written;
}

bool EvidenceWriter::write_group(uint64_t alert_id, Group& g) {
    // Every part is in ring (arrival) order; merge all of them by packet time.
    std::vector<RecordRef> recs;
    bool complete = g.parts.size() >= g.expected;
    for (const auto& part : g.parts) {
        complete = complete && !part->truncated && !part->gap && !part->refused;
        const auto& b = part->records;
        for (size_t off = 0; off + PacketRing::kHeader <= b.size();) {
            RecordRef r{0, b.data() + off};
            std::memcpy(&r.ts, r.p, 8);
            uint16_t cap = 0;
            std::memcpy(&cap, r.p + 12, 2);
            recs.push_back(r);
            off += PacketRing::kHeader + cap;
        }
    }
    if (recs.empty()) {
        std::lock_guard lock(mutex_);
        ++counters_.empty;
        log::info("evidence: alert %llu: no matching packet in the rings", static_cast<unsigned long long>(alert_id));
        return false;
    }
    std::stable_sort(recs.begin(), recs.end(), [](const RecordRef& a, const RecordRef& b) { return a.ts < b.ts; });
    uint16_t link = 0;
    std::memcpy(&link, recs.front().p + 14, 2);

    EvidenceFile file;
    file.alert_id = alert_id;
    file.file_name = "alert-" + std::to_string(alert_id) + ".pcap";
    file.complete = complete;
    const std::string path = opts_.dir + "/" + file.file_name;
    const std::string tmp = path + ".tmp";  // renamed when whole: a reader never sees half a file
    gen::PcapWriter w;
    std::string error;
    bool ok = w.open(tmp, opts_.snaplen, error, link);
    uint64_t mismatch = 0;
    for (size_t i = 0; ok && i < recs.size(); ++i) {
        const uint8_t* p = recs[i].p;
        uint32_t wirelen = 0;
        uint16_t cap = 0, l = 0;
        std::memcpy(&wirelen, p + 8, 4);
        std::memcpy(&cap, p + 12, 2);
        std::memcpy(&l, p + 14, 2);
        if (l != link) {
            ++mismatch;
            continue;
        }
        ok = w.write(p + PacketRing::kHeader, cap, recs[i].ts, wirelen);
        ++file.packets;
    }
    if (!w.close()) {
        ok = false;
        if (error.empty()) error = w.error();
    }
    std::error_code ec;
    if (ok) fs::rename(tmp, path, ec);
    if (!ok || ec) {
        fs::remove(tmp, ec);
        std::lock_guard lock(mutex_);
        ++counters_.write_errors;
        log::warn("evidence: cannot write %s: %s", path.c_str(), error.empty() ? "rename failed" : error.c_str());
        return false;
    }
    file.bytes = fs::file_size(path, ec);
    {
        std::lock_guard lock(mutex_);
        ++counters_.files_written;
        counters_.link_mismatch += mismatch;
    }
    log::info("evidence: %s: %llu packets%s", path.c_str(), static_cast<unsigned long long>(file.packets),
              complete ? "" : " (incomplete: a worker's part was truncated, refused or missing)");
    if (listener_) listener_(file);
    return true;
}

void EvidenceWriter::enforce_limits() {
    struct Entry {
        fs::file_time_type mtime;
        std::string name;
        uint64_t size;
    };
    std::vector<Entry> files;
    std::error_code ec;
    for (fs::directory_iterator it(opts_.dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (!name.starts_with("alert-") || !name.ends_with(".pcap")) continue;
        std::error_code e2;
        const auto mtime = it->last_write_time(e2);
        const auto size = it->file_size(e2);
        if (!e2) files.push_back({mtime, name, size});
    }
    std::sort(files.begin(), files.end(),
              [](const Entry& a, const Entry& b) { return a.mtime != b.mtime ? a.mtime < b.mtime : a.name < b.name; });
    uint64_t total = 0;
    for (const auto& f : files) total += f.size;
    size_t deleted = 0;
    // The newest file always stays, even when it alone is over the size cap.
    for (size_t i = 0; i + 1 < files.size(); ++i) {
        if (files.size() - i <= opts_.max_files && total <= opts_.max_total_bytes) break;
        if (fs::remove(opts_.dir + "/" + files[i].name, ec)) {
            total -= files[i].size;
            ++deleted;
        }
    }
    if (deleted) {
        std::lock_guard lock(mutex_);
        counters_.files_deleted += deleted;
    }
}

EvidenceWriterCounters EvidenceWriter::counters() const {
    std::lock_guard lock(mutex_);
    return counters_;
}

}  // namespace nms::evidence
