#include "gen/packet_sender.hpp"

#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "gen/frame_builder.hpp"

namespace nms::gen {

PacketSender::~PacketSender() {
    if (fd_ >= 0) {
        flush();
        ::close(fd_);
    }
}

bool PacketSender::open(const std::string& interface, std::string& error) {
    const unsigned ifindex = if_nametoindex(interface.c_str());
    if (ifindex == 0) {
        error = "no interface '" + interface + "' (see: ip link)";
        return false;
    }
    fd_ = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);  // protocol 0: send only, receive nothing
    if (fd_ < 0) {
        error = std::string("cannot open a packet socket: ") + std::strerror(errno) +
                (errno == EPERM ? " (run as root or grant CAP_NET_RAW)" : "");
        return false;
    }
    const int one = 1;
    // Best effort: skipping the qdisc is faster, but older kernels refuse it.
    (void)setsockopt(fd_, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_ifindex = static_cast<int>(ifindex);
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&sll), sizeof sll) != 0) {
        error = "cannot bind to " + interface + ": " + std::strerror(errno);
        return false;
    }
    bufs_.resize(kBatch * kMaxFrame);
    return true;
}

bool PacketSender::add(const uint8_t* data, uint32_t len) noexcept {
    if (len > kMaxFrame) len = kMaxFrame;
    std::memcpy(bufs_.data() + queued_ * kMaxFrame, data, len);
    lens_[queued_++] = len;
    return queued_ < kBatch || flush();
}

bool PacketSender::flush() noexcept {
    mmsghdr msgs[kBatch];
    iovec iov[kBatch];
    std::memset(msgs, 0, sizeof msgs);
    for (size_t i = 0; i < queued_; ++i) {
        iov[i].iov_base = bufs_.data() + i * kMaxFrame;
        iov[i].iov_len = lens_[i];
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    size_t done = 0;
    while (done < queued_) {
        const int n = sendmmsg(fd_, msgs + done, static_cast<unsigned>(queued_ - done), 0);
        if (n > 0) {
            done += static_cast<size_t>(n);
            sent_ += static_cast<uint64_t>(n);
            continue;
        }
        if (errno == EINTR) continue;
        if (errno == ENOBUFS || errno == EAGAIN) {  // the device queue is full: count and drop one
            ++dropped_;
            ++done;
            continue;
        }
        error_ = std::string("send failed: ") + std::strerror(errno);
        queued_ = 0;
        return false;
    }
    queued_ = 0;
    return true;
}

}  // namespace nms::gen
