#include "gen/pcap_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace nms::gen {
namespace {

constexpr size_t kBufSize = 4u << 20;

void put32le(uint8_t* p, uint32_t v) noexcept { std::memcpy(p, &v, 4); }  // pcap is host-endian; we are LE

}  // namespace

PcapWriter::~PcapWriter() { close(); }

bool PcapWriter::open(const std::string& path, uint32_t snaplen, std::string& error, uint32_t linktype) {
    if (path == "-") {
        fd_ = STDOUT_FILENO;
    } else {
        fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        own_fd_ = true;
    }
    if (fd_ < 0) {
        error = "cannot create " + path + ": " + std::strerror(errno);
        return false;
    }
    buf_.resize(kBufSize);
    uint8_t hdr[24];
    put32le(hdr, 0xa1b2c3d4);
    hdr[4] = 2;
    hdr[5] = 0;
    hdr[6] = 4;
    hdr[7] = 0;
    put32le(hdr + 8, 0);
    put32le(hdr + 12, 0);
    put32le(hdr + 16, snaplen);
    put32le(hdr + 20, linktype);
    std::memcpy(buf_.data(), hdr, sizeof hdr);
    used_ = sizeof hdr;
    return true;
}

bool PcapWriter::write(const uint8_t* data, uint32_t len, TimestampNs ts, uint32_t wirelen) noexcept {
    if (used_ + 16 + len > buf_.size() && !flush()) return false;
    uint8_t* p = buf_.data() + used_;
    put32le(p, static_cast<uint32_t>(ts / kNsPerSec));
    put32le(p + 4, static_cast<uint32_t>((ts % kNsPerSec) / kNsPerUs));
    put32le(p + 8, len);
    put32le(p + 12, wirelen > len ? wirelen : len);
    std::memcpy(p + 16, data, len);
    used_ += 16 + len;
    return true;
}

bool PcapWriter::flush() noexcept {
    size_t done = 0;
    while (done < used_ && !failed_) {
        const ssize_t n = ::write(fd_, buf_.data() + done, used_ - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            failed_ = true;
            error_ = std::string("write failed: ") + std::strerror(errno);
            break;
        }
        done += static_cast<size_t>(n);
    }
    used_ = 0;
    return !failed_;
}

bool PcapWriter::close() {
    if (fd_ < 0) return !failed_;
    flush();
    if (own_fd_ && ::close(fd_) != 0 && !failed_) {
        failed_ = true;
        error_ = std::string("close failed: ") + std::strerror(errno);
    }
    fd_ = -1;
    return !failed_;
}

}  // namespace nms::gen
