#pragma once
// PcapLiveSource: libpcap live capture, the fallback when AF_PACKET rings are unavailable
// (capture.method = "pcap"). One pcap_dispatch() of up to kBatch frames per poll().
#include <pcap/pcap.h>

#include <memory>
#include <string>

#include "capture/capture_source.hpp"

namespace nms::capture {

struct PcapLiveOptions {
    std::string interface;
    uint32_t snaplen = 2048;
    bool promiscuous = true;
    uint32_t buffer_bytes = 64u << 20;   // kernel buffer (block_size * block_count)
    int timeout_ms = 10;                 // packet buffer timeout (immediate mode is also on)
    std::string bpf;
};

class PcapLiveSource final : public CaptureSource {
 public:
    static constexpr int kBatch = 256;

    static std::unique_ptr<PcapLiveSource> open(const PcapLiveOptions& options, std::string& error);
    ~PcapLiveSource() override;
    PcapLiveSource(const PcapLiveSource&) = delete;
    PcapLiveSource& operator=(const PcapLiveSource&) = delete;

    PollResult poll(FrameSink& sink, int timeout_ms) noexcept override;
    void refresh_stats() noexcept override;
    [[nodiscard]] const CaptureCounters& counters() const noexcept override { return counters_; }
    [[nodiscard]] decode::LinkType link_type() const noexcept override { return link_type_; }
    [[nodiscard]] const std::string& name() const noexcept override { return name_; }
    [[nodiscard]] const std::string& error() const noexcept override { return error_; }
    void interrupt() noexcept override;

 private:
    PcapLiveSource() = default;
    bool setup(const PcapLiveOptions& options, std::string& error);
    static void on_packet(u_char* user, const pcap_pkthdr* hdr, const u_char* bytes);

    std::string name_;
    std::string error_;
    CaptureCounters counters_;
    pcap_t* pcap_ = nullptr;
    int wake_fd_ = -1;
    FrameSink* sink_ = nullptr;   // valid during pcap_dispatch only
    uint32_t snaplen_ = 0;
    uint64_t ts_frac_to_ns_ = 1;   // 1 with nanosecond timestamps, 1000 if only micro
    decode::LinkType link_type_ = decode::LinkType::kEthernet;
};

}  // namespace nms::capture
