#pragma once
// Reads a corpus capture into owned frames, for tests that want real packets.
#include <string>
#include <vector>

#include "capture/pcap_file_source.hpp"
#include "decode/decode.hpp"

namespace nms::devices::test {

struct Frame {
    std::vector<uint8_t> bytes;
    uint32_t wirelen = 0;
    TimestampNs ts = 0;
};

struct Capture {
    decode::LinkType link = decode::LinkType::kEthernet;
    std::vector<Frame> frames;
    // Decodes frame i (the view points into this Capture).
    decode::PacketView view(size_t i) const {
        decode::PacketView v;
        const Frame& f = frames[i];
        decode::decode_packet(link, f.bytes.data(), static_cast<uint32_t>(f.bytes.size()), f.wirelen, f.ts, v);
        return v;
    }
};

inline Capture read_corpus(const std::string& name) {
    struct Sink final : capture::FrameSink {
        Capture* c;
        void on_frame(const capture::RawFrame& f) noexcept override {
            c->frames.push_back(Frame{std::vector<uint8_t>(f.data, f.data + f.caplen), f.wirelen, f.ts_ns});
        }
        void end_batch() noexcept override {}
    };
    Capture c;
    capture::PcapFileOptions o;
    o.path = std::string(NMS_CORPUS_DIR "/pcap/") + name;
    std::string error;
    auto src = capture::PcapFileSource::open(o, error);
    if (!src) return c;
    c.link = src->link_type();
    Sink sink;
    sink.c = &c;
    while (src->poll(sink, 0) != capture::PollResult::kEof) {
    }
    return c;
}

}  // namespace nms::devices::test
