#pragma once
// EvidenceWriter: its own thread. Collects every worker's part of each evidence request,
// merges them in time order into <dir>/alert-<id>.pcap (classic pcap, the capture's link
// type, the evidence snaplen), keeps the directory within max_files / max_total_bytes
// (oldest first), and reports each file through the listener.
// Why its own thread: a PCAP is up to tens of MiB of disk I/O. The stats thread (alert
// listeners must not block) and the output thread (EVE flow throughput) must not wait on it,
// and it is idle unless alerts fire.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "evidence/evidence_collector.hpp"

namespace nms::evidence {

struct EvidenceWriterOptions {
    std::string dir;               // <data_dir>/evidence
    uint32_t snaplen = 256;
    uint32_t max_files = 100;
    uint64_t max_total_bytes = 256ull << 20;
};

struct EvidenceFile {
    uint64_t alert_id = 0;
    std::string file_name;         // "alert-42.pcap", relative to the evidence directory
    uint64_t packets = 0;
    uint64_t bytes = 0;            // file size
    bool complete = true;          // false: a part was truncated, refused, missing or had a gap
};

// Called on the writer thread (or the thread calling stop()/drain_once()).
using EvidenceListener = std::function<void(const EvidenceFile&)>;

struct EvidenceWriterCounters {
    uint64_t files_written = 0;
    uint64_t files_deleted = 0;
    uint64_t write_errors = 0;
    uint64_t parts = 0;
    uint64_t empty = 0;            // requests that matched no packet: no file
    uint64_t link_mismatch = 0;    // packets of another link type than the file's, left out
};

class EvidenceWriter {
 public:
    EvidenceWriter(EvidenceWriterOptions opts, std::vector<EvidenceCollector*> collectors, EvidenceListener listener);
    ~EvidenceWriter();
    EvidenceWriter(const EvidenceWriter&) = delete;
    EvidenceWriter& operator=(const EvidenceWriter&) = delete;

    // Creates the directory. nullopt on success, else a message for the operator.
    std::optional<std::string> open();
    void start();
    // Call after the workers have finished: drains their last parts and writes every
    // request, complete or not.
    void stop();
    // One pass on the calling thread: takes parts, writes the requests whose parts are all
    // in (all of them when `final`). Returns files written.
    size_t drain_once(bool final);

    [[nodiscard]] EvidenceWriterCounters counters() const;
    [[nodiscard]] const std::string& dir() const noexcept { return opts_.dir; }

 private:
    struct Group {
        std::vector<std::unique_ptr<EvidencePart>> parts;
        uint32_t expected = 0;
    };
    bool write_group(uint64_t alert_id, Group& g);
    void enforce_limits();
    void run();

    EvidenceWriterOptions opts_;
    std::vector<EvidenceCollector*> collectors_;
    EvidenceListener listener_;
    std::map<uint64_t, Group> groups_;  // writer thread only

    mutable std::mutex mutex_;          // counters_ and stop signal
    std::condition_variable cv_;
    bool stopping_ = false;
    EvidenceWriterCounters counters_;
    std::thread thread_;
};

}  // namespace nms::evidence
