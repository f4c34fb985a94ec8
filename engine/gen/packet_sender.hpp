#pragma once
// PacketSender: transmits generated frames on one named interface through an AF_PACKET
// socket with PACKET_QDISC_BYPASS, a batch per sendmmsg(2). Needs CAP_NET_RAW.
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

namespace nms::gen {

class PacketSender {
 public:
    static constexpr size_t kBatch = 64;

    PacketSender() = default;
    ~PacketSender();
    PacketSender(const PacketSender&) = delete;
    PacketSender& operator=(const PacketSender&) = delete;

    bool open(const std::string& interface, std::string& error);
    // Queues a copy of the frame; sends when the batch is full.
    bool add(const uint8_t* data, uint32_t len) noexcept;
    // Sends what is queued. False on a hard error (error()).
    bool flush() noexcept;
    [[nodiscard]] uint64_t sent() const noexcept { return sent_; }
    [[nodiscard]] uint64_t dropped() const noexcept { return dropped_; }   // ENOBUFS: device queue full
    [[nodiscard]] const std::string& error() const noexcept { return error_; }

 private:
    int fd_ = -1;
    std::vector<uint8_t> bufs_;
    uint32_t lens_[kBatch]{};
    size_t queued_ = 0;
    uint64_t sent_ = 0;
    uint64_t dropped_ = 0;
    std::string error_;
};

}  // namespace nms::gen
