#pragma once
// AfPacketSource: one AF_PACKET socket with a TPACKET_V3 ring, optionally one member of a
// PACKET_FANOUT group. poll() waits for a retired block, walks its frames (tp_next_offset),
// hands them to the sink, calls end_batch() and only then returns the block to the kernel.
#include <memory>
#include <string>

#include "capture/capture_source.hpp"
#include "capture/fanout_sync.hpp"
#include "capture/tpacket_ring.hpp"

namespace nms::capture {

struct AfPacketOptions {
    std::string interface;
    uint32_t snaplen = 2048;
    uint32_t block_size = 1u << 20;
    uint32_t block_count = 64;
    uint32_t block_timeout_ms = 10;
    bool promiscuous = true;
    std::string bpf;                       // libpcap expression; empty = everything
    bool fanout = false;                   // join a PACKET_FANOUT group
    uint16_t fanout_group = 0;             // group id (unique per network namespace)
    bool fanout_defrag = true;             // PACKET_FANOUT_FLAG_DEFRAG
    std::shared_ptr<FanoutSync> sync;      // shared by all members; null = no start sync
};

class AfPacketSource final : public CaptureSource {
 public:
    // nullptr + error on failure (permission, unknown interface, ring, filter, fanout).
    static std::unique_ptr<AfPacketSource> open(const AfPacketOptions& options, std::string& error);
    ~AfPacketSource() override;
    AfPacketSource(const AfPacketSource&) = delete;
    AfPacketSource& operator=(const AfPacketSource&) = delete;

    PollResult poll(FrameSink& sink, int timeout_ms) noexcept override;
    void refresh_stats() noexcept override;
    [[nodiscard]] const CaptureCounters& counters() const noexcept override { return counters_; }
    [[nodiscard]] decode::LinkType link_type() const noexcept override { return link_type_; }
    [[nodiscard]] const std::string& name() const noexcept override { return name_; }
    [[nodiscard]] const std::string& error() const noexcept override { return error_; }
    void interrupt() noexcept override;

    [[nodiscard]] int fd() const noexcept { return fd_; }
    // True once this member saw the complete group (or it needs no start sync).
    [[nodiscard]] bool synchronized() const noexcept { return synced_; }

 private:
    AfPacketSource() = default;
    bool setup(const AfPacketOptions& options, std::string& error);
    bool wait_readable(int timeout_ms) noexcept;
    // Returns the number of frames delivered from the block.
    uint32_t walk_block(const tpacket_block_desc& block, FrameSink& sink) noexcept;

    std::string name_;
    std::string error_;
    CaptureCounters counters_;
    int fd_ = -1;
    int wake_fd_ = -1;       // eventfd: interrupt() makes poll() return
    TpacketRing ring_;       // unmapped explicitly before the socket closes
    uint32_t snaplen_ = 0;
    decode::LinkType link_type_ = decode::LinkType::kEthernet;
    std::shared_ptr<FanoutSync> sync_;
    TimestampNs sync_after_ns_ = 0;   // frames stamped before this are discarded
    bool synced_ = false;
    bool skip_outgoing_ = false;      // loopback without PACKET_IGNORE_OUTGOING
};

}  // namespace nms::capture
