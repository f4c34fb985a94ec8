#pragma once
// PcapFileSource: replays a pcap or pcapng file through libpcap, either as fast as possible
// (up to `batch` records per poll) or paced by the recorded timestamps / replay_speed, and
// `loop` times (0 = forever; each pass reopens the file and paces from its own start).
// A damaged file ends its pass cleanly: bad_records counts it and error() says why.
#include <pcap/pcap.h>

#include <memory>
#include <string>

#include "capture/capture_source.hpp"

namespace nms::capture {

struct PcapFileOptions {
    std::string path;
    double replay_speed = 0;   // 0 = as fast as possible; 1 = recorded timing; 10 = ten times faster
    uint32_t loop = 1;         // passes over the file; 0 = forever
    uint32_t snaplen = 2048;   // longest caplen handed to the sink (longer records are cut)
    uint32_t batch = 256;      // records per poll
    std::string bpf;           // libpcap filter expression; empty = every record
};

class PcapFileSource final : public CaptureSource {
 public:
    static std::unique_ptr<PcapFileSource> open(const PcapFileOptions& options, std::string& error);
    ~PcapFileSource() override;
    PcapFileSource(const PcapFileSource&) = delete;
    PcapFileSource& operator=(const PcapFileSource&) = delete;

    PollResult poll(FrameSink& sink, int timeout_ms) noexcept override;
    [[nodiscard]] const CaptureCounters& counters() const noexcept override { return counters_; }
    [[nodiscard]] decode::LinkType link_type() const noexcept override { return link_type_; }
    [[nodiscard]] const std::string& name() const noexcept override { return name_; }
    // After kError; also set (with kEof / a shortened pass) when a damaged record ended a pass.
    [[nodiscard]] const std::string& error() const noexcept override { return error_; }
    void interrupt() noexcept override;
    void resumed_after(uint64_t paused_ns) noexcept override;

    [[nodiscard]] uint32_t passes_done() const noexcept { return passes_done_; }

 private:
    PcapFileSource() = default;
    bool open_file(std::string& error);
    // Ends the current pass; true if another pass starts.
    bool next_pass() noexcept;
    // Sleeps until monotonic `due_ns` or `deadline_ns`, whichever is first; true if due.
    bool wait_until(uint64_t due_ns, uint64_t deadline_ns) noexcept;
    // Applies the record fix-ups and hands it to the sink; false if skipped.
    bool deliver(const pcap_pkthdr& hdr, const u_char* data, FrameSink& sink) noexcept;

    PcapFileOptions options_;
    std::string name_;
    std::string error_;
    CaptureCounters counters_;
    pcap_t* pcap_ = nullptr;
    int wake_fd_ = -1;
    decode::LinkType link_type_ = decode::LinkType::kEthernet;
    // The record read but not yet due (paced replay); valid until the next pcap_next_ex.
    pcap_pkthdr* pending_hdr_ = nullptr;
    const u_char* pending_data_ = nullptr;
    bool base_set_ = false;
    TimestampNs base_ts_ns_ = 0;
    uint64_t base_mono_ns_ = 0;
    uint32_t passes_done_ = 0;
    uint64_t records_this_pass_ = 0;
    bool eof_ = false;
    bool failed_ = false;
};

}  // namespace nms::capture
