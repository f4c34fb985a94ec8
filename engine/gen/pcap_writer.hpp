#pragma once
// PcapWriter: classic pcap (microsecond resolution) through a large user-space buffer and
// plain write(2): the generator writes millions of frames per second with it; evidence
// PCAPs use it with their capture's link type and the frames' original lengths.
#include <cstdint>
#include <string>
#include <vector>

#include "common/time.hpp"

namespace nms::gen {

class PcapWriter {
 public:
    PcapWriter() = default;
    ~PcapWriter();
    PcapWriter(const PcapWriter&) = delete;
    PcapWriter& operator=(const PcapWriter&) = delete;

    // Creates/truncates `path` ("-" = stdout) and writes the file header. `linktype` is the
    // pcap LINKTYPE_* number (1 = Ethernet).
    bool open(const std::string& path, uint32_t snaplen, std::string& error, uint32_t linktype = 1);
    // `wirelen`: the frame's original length when only its first `len` bytes are kept (0 = len).
    bool write(const uint8_t* data, uint32_t len, TimestampNs ts, uint32_t wirelen = 0) noexcept;
    // Flushes and closes; false (with error()) if any write failed.
    bool close();
    [[nodiscard]] const std::string& error() const noexcept { return error_; }

 private:
    bool flush() noexcept;

    int fd_ = -1;
    bool own_fd_ = false;
    std::vector<uint8_t> buf_;
    size_t used_ = 0;
    bool failed_ = false;
    std::string error_;
};

}  // namespace nms::gen
