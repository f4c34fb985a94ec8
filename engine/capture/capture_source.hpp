#pragma once
// CaptureSource: where frames come from. One instance per capture thread; poll() hands
// every frame of one batch (a TPACKET_V3 block, or up to N pcap records) to a sink, then
// calls end_batch() once so the sink can push its per-worker batches before the source
// returns the block to the kernel. Frames are valid only during on_frame().
#include <cstdint>
#include <string>

#include "common/time.hpp"
#include "decode/link_type.hpp"

namespace nms::capture {

struct RawFrame {
    const uint8_t* data = nullptr;
    uint32_t caplen = 0;
    uint32_t wirelen = 0;       // excludes a tag moved into vlan_tci: add 4 when re-inserting it
    TimestampNs ts_ns = 0;
    uint16_t vlan_tci = 0;      // AF_PACKET strips the outer 802.1Q tag into metadata
    bool vlan_valid = false;    // when set, the decoder must re-insert vlan_tci
    uint16_t vlan_tpid = 0x8100;  // TPID of the stripped tag (0x88a8 for an 802.1ad outer tag)
};

class FrameSink {
 public:
    virtual ~FrameSink() = default;
    virtual void on_frame(const RawFrame& frame) noexcept = 0;
    virtual void end_batch() noexcept = 0;
};

enum class PollResult : uint8_t {
    kFrames,   // delivered at least one frame
    kIdle,     // nothing within the timeout
    kEof,      // file source finished (all loops)
    kError,    // unrecoverable; error() says why
};

struct CaptureCounters {
    uint64_t frames = 0;          // delivered to the sink
    uint64_t bytes = 0;           // wire bytes delivered
    uint64_t kernel_packets = 0;  // PACKET_STATISTICS tp_packets (cumulative)
    uint64_t kernel_drops = 0;    // PACKET_STATISTICS tp_drops (cumulative)
    uint64_t kernel_freezes = 0;  // tp_freeze_q_cnt (cumulative)
    uint64_t truncated = 0;       // caplen < wirelen (snap length or short record)
    uint64_t bad_records = 0;     // malformed file records skipped
    uint64_t discarded_sync = 0;  // dropped while a fanout group was forming
    uint64_t clamped = 0;         // file records with caplen > wirelen or wirelen 0 (fixed up)
};

class CaptureSource {
 public:
    virtual ~CaptureSource() = default;
    // Waits at most timeout_ms for frames and delivers one batch.
    virtual PollResult poll(FrameSink& sink, int timeout_ms) noexcept = 0;
    // Refreshes kernel statistics (one syscall; call from the stats cadence, not per packet).
    virtual void refresh_stats() noexcept {}
    [[nodiscard]] virtual const CaptureCounters& counters() const noexcept = 0;
    [[nodiscard]] virtual decode::LinkType link_type() const noexcept = 0;
    [[nodiscard]] virtual const std::string& name() const noexcept = 0;   // "eth0", "file.pcap"
    [[nodiscard]] virtual const std::string& error() const noexcept = 0;  // after kError
    // Asks a blocking poll to return soon (thread-safe).
    virtual void interrupt() noexcept {}
    // The capture thread did not poll for `paused_ns` (capture/stop .. capture/start): a
    // source paced by the clock moves its schedule forward instead of bursting to catch up.
    // A live source needs nothing: the kernel kept its ring and counted what it dropped.
    virtual void resumed_after(uint64_t paused_ns) noexcept { (void)paused_ns; }
};

}  // namespace nms::capture
