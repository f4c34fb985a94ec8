#pragma once
// make_capture_source: the one place that picks AfPacketSource, PcapLiveSource or
// PcapFileSource. The app fills CaptureSourceSpec from config::CaptureConfig (capture does not
// depend on config) once per capture thread.
#include <cstdint>
#include <memory>
#include <string>

#include "capture/capture_source.hpp"
#include "capture/fanout_sync.hpp"

namespace nms::capture {

enum class CaptureKind : uint8_t { kAfPacket, kPcapLive, kFile };

struct CaptureSourceSpec {
    CaptureKind kind = CaptureKind::kAfPacket;
    std::string interface;            // live kinds
    std::string path;                 // kFile
    uint32_t snaplen = 2048;
    std::string bpf;
    // AF_PACKET ring (also sizes the libpcap buffer: block_size * block_count)
    uint32_t block_size = 1u << 20;
    uint32_t block_count = 64;
    uint32_t block_timeout_ms = 10;
    bool promiscuous = true;
    // AF_PACKET fanout: members of one interface share group id and sync
    bool fanout = false;
    uint16_t fanout_group = 0;        // 0 = default_fanout_group()
    bool fanout_defrag = true;
    std::shared_ptr<FanoutSync> sync;
    // kFile
    double replay_speed = 0;
    uint32_t loop = 1;
};

std::unique_ptr<CaptureSource> make_capture_source(const CaptureSourceSpec& spec, std::string& error);

// A fanout group id derived from the process id, offset by the interface's position so two
// interfaces of one process never share a group.
uint16_t default_fanout_group(uint32_t interface_position = 0) noexcept;

}  // namespace nms::capture
