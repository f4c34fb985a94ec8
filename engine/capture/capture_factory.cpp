#include "capture/capture_factory.hpp"

#include <unistd.h>

#include "capture/afpacket_source.hpp"
#include "capture/pcap_file_source.hpp"
#include "capture/pcap_live_source.hpp"

namespace nms::capture {

uint16_t default_fanout_group(uint32_t interface_position) noexcept {
    const auto pid = static_cast<uint32_t>(getpid());
    return static_cast<uint16_t>((pid + interface_position * 7919u) & 0xffffu);
}

std::unique_ptr<CaptureSource> make_capture_source(const CaptureSourceSpec& spec, std::string& error) {
    switch (spec.kind) {
        case CaptureKind::kFile: {
            PcapFileOptions o;
            o.path = spec.path;
            o.replay_speed = spec.replay_speed;
            o.loop = spec.loop;
            o.snaplen = spec.snaplen;
            o.bpf = spec.bpf;
            return PcapFileSource::open(o, error);
        }
        case CaptureKind::kPcapLive: {
            PcapLiveOptions o;
            o.interface = spec.interface;
            o.snaplen = spec.snaplen;
            o.promiscuous = spec.promiscuous;
            const uint64_t bytes = static_cast<uint64_t>(spec.block_size) * spec.block_count;
            o.buffer_bytes = bytes > (1u << 30) ? (1u << 30) : static_cast<uint32_t>(bytes);
            o.timeout_ms = static_cast<int>(spec.block_timeout_ms);
            o.bpf = spec.bpf;
            return PcapLiveSource::open(o, error);
        }
        case CaptureKind::kAfPacket: {
            AfPacketOptions o;
            o.interface = spec.interface;
            o.snaplen = spec.snaplen;
            o.block_size = spec.block_size;
            o.block_count = spec.block_count;
            o.block_timeout_ms = spec.block_timeout_ms;
            o.promiscuous = spec.promiscuous;
            o.bpf = spec.bpf;
            o.fanout = spec.fanout;
            o.fanout_group = spec.fanout_group != 0 ? spec.fanout_group : default_fanout_group();
            o.fanout_defrag = spec.fanout_defrag;
            o.sync = spec.sync;
            return AfPacketSource::open(o, error);
        }
    }
    error = "unknown capture kind";
    return nullptr;
}

}  // namespace nms::capture
