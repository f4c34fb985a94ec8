#pragma once
// PcapWriter: classic pcap (microsecond, Ethernet) through a large user-space buffer and
// plain write(2): the generator writes millions of frames per second with it.
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

    // Creates/truncates `path` ("-" = stdout) and writes the file header.
    bool open(const std::string& path, uint32_t snaplen, std::string& error);
    bool write(const uint8_t* data, uint32_t len, TimestampNs ts) noexcept;
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
