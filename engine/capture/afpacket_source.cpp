#include "capture/afpacket_source.hpp"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "capture/bpf_filter.hpp"
#include "capture/capture_errors.hpp"
#include "common/log.hpp"

namespace nms::capture {
namespace {

std::string sys_error(const std::string& what) { return what + ": " + std::strerror(errno); }

constexpr size_t kTpacketAlignment = TPACKET_ALIGNMENT;

// Room for the V3 header, sockaddr_ll and the link header ahead of snaplen bytes
// (Suricata sizes tp_frame_size the same way).
constexpr uint32_t align_frame(size_t n) {   // TPACKET_ALIGN without its signed arithmetic
    return static_cast<uint32_t>((n + kTpacketAlignment - 1) & ~(kTpacketAlignment - 1));
}
uint32_t frame_size_for(uint32_t snaplen) {
    const uint32_t hdr = align_frame(align_frame(sizeof(tpacket3_hdr) + sizeof(sockaddr_ll)) + ETH_HLEN);
    return align_frame(snaplen + hdr);
}

}  // namespace

std::unique_ptr<AfPacketSource> AfPacketSource::open(const AfPacketOptions& options, std::string& error) {
    std::unique_ptr<AfPacketSource> src(new AfPacketSource());
    const bool ok = src->setup(options, error);
    // A member that failed still counts as joined, so the rest of the group never waits on it.
    if (!ok && options.sync) options.sync->join();
    if (!ok) return nullptr;
    return src;
}

AfPacketSource::~AfPacketSource() {
    ring_ = TpacketRing{};
    if (fd_ >= 0) close(fd_);
    if (wake_fd_ >= 0) close(wake_fd_);
}

bool AfPacketSource::setup(const AfPacketOptions& options, std::string& error) {
    name_ = options.interface;
    snaplen_ = options.snaplen == 0 ? 2048 : options.snaplen;
    synced_ = options.sync == nullptr;

    const unsigned ifindex = if_nametoindex(options.interface.c_str());
    if (options.interface.empty() || options.interface.size() >= IFNAMSIZ || ifindex == 0) {
        error = no_such_interface_error(options.interface);
        return false;
    }
    // Link type and filter first: both need no privileges, so their errors come first.
    int dlt = DLT_EN10MB;
    bool loopback = false;
    {
        const int probe = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        ifreq ifr{};
        std::memcpy(ifr.ifr_name, options.interface.c_str(), options.interface.size());
        const int rc = probe >= 0 ? ioctl(probe, SIOCGIFHWADDR, &ifr) : -1;
        if (probe >= 0) close(probe);
        if (rc == 0) {
            switch (ifr.ifr_hwaddr.sa_family) {
                case ARPHRD_ETHER:
                    break;
                case ARPHRD_LOOPBACK:
                    loopback = true;
                    break;
                case ARPHRD_NONE:   // tun and friends deliver bare IP packets
                case ARPHRD_PPP:
                    link_type_ = decode::LinkType::kRaw;
                    dlt = DLT_RAW;
                    break;
                default:
                    error = "unsupported link type (ARPHRD " + std::to_string(ifr.ifr_hwaddr.sa_family) +
                            ") on " + options.interface + "; try capture method \"pcap\"";
                    return false;
            }
        }
    }
    BpfFilter filter;
    if (!filter.compile(options.bpf, dlt, static_cast<int>(snaplen_), error)) return false;

    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) {
        error = sys_error("eventfd");
        return false;
    }
    // Protocol 0: the socket receives nothing until bind(), so no frame reaches the ring
    // from another interface or ahead of the filter.
    fd_ = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        error = (errno == EPERM || errno == EACCES) ? permission_error(options.interface)
                                                    : sys_error("socket(AF_PACKET) for " + options.interface);
        return false;
    }
    if (!filter.attach(fd_, error)) return false;
    if (loopback) {
        // On loopback every packet passes twice (sent, then received); keep one copy, as
        // libpcap does. PACKET_IGNORE_OUTGOING (4.20+) does not apply to fanout members (the
        // group has its own hook), and old kernels lack it: walk_block() checks as well.
        const int one = 1;
        setsockopt(fd_, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
        skip_outgoing_ = true;
    }

    TpacketRingParams ring_params;
    ring_params.block_size = options.block_size;
    ring_params.block_count = options.block_count;
    ring_params.frame_size = frame_size_for(snaplen_);
    ring_params.block_timeout_ms = options.block_timeout_ms;
    if (!ring_.setup(fd_, ring_params, error)) {
        error = options.interface + ": " + error;
        return false;
    }

    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = static_cast<int>(ifindex);
    if (bind(fd_, reinterpret_cast<const sockaddr*>(&sll), sizeof(sll)) != 0) {
        if (errno == ENODEV || errno == ENXIO) {
            error = no_such_interface_error(options.interface);
        } else {
            error = sys_error("bind to " + options.interface);
        }
        return false;
    }

    if (options.promiscuous) {
        packet_mreq mreq{};
        mreq.mr_ifindex = static_cast<int>(ifindex);
        mreq.mr_type = PACKET_MR_PROMISC;
        if (setsockopt(fd_, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq, sizeof(mreq)) != 0) {
            error = (errno == EPERM) ? permission_error(options.interface)
                                     : sys_error("promiscuous mode on " + options.interface);
            return false;
        }
    }

    ifreq flags{};
    std::memcpy(flags.ifr_name, options.interface.c_str(), options.interface.size());
    if (ioctl(fd_, SIOCGIFFLAGS, &flags) == 0 && (flags.ifr_flags & IFF_UP) == 0) {
        log::warn("interface %s is down; capturing anyway (frames arrive once it is up)",
                  options.interface.c_str());
    }

    if (options.fanout) {
        uint32_t mode = PACKET_FANOUT_HASH;
        if (options.fanout_defrag) mode |= PACKET_FANOUT_FLAG_DEFRAG;
        const uint32_t arg = options.fanout_group | (mode << 16);
        if (setsockopt(fd_, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) != 0) {
            error = sys_error("cannot join fanout group " + std::to_string(options.fanout_group) + " on " +
                              options.interface) +
                    " (is another process using this group id with other settings? set capture.fanout_group)";
            return false;
        }
    }
    if (options.sync) {
        sync_ = options.sync;
        sync_->join();
    }
    return true;
}

void AfPacketSource::interrupt() noexcept {
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = write(wake_fd_, &one, sizeof(one));
}

bool AfPacketSource::wait_readable(int timeout_ms) noexcept {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    const int rc = ::poll(fds, 2, timeout_ms);
    if (rc < 0) {
        if (errno != EINTR) error_ = std::string("poll on ") + name_ + ": " + std::strerror(errno);
        return false;
    }
    if ((fds[1].revents & POLLIN) != 0) {
        uint64_t value = 0;
        [[maybe_unused]] const ssize_t n = read(wake_fd_, &value, sizeof(value));
        return false;
    }
    if ((fds[0].revents & POLLERR) != 0) {
        // ENETDOWN when the link goes down: clear it and keep waiting for frames.
        int err = 0;
        socklen_t len = sizeof(err);
        getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    }
    if ((fds[0].revents & POLLNVAL) != 0) {
        error_ = "capture socket on " + name_ + " is no longer valid";
        return false;
    }
    return rc > 0;
}

PollResult AfPacketSource::poll(FrameSink& sink, int timeout_ms) noexcept {
    tpacket_block_desc* block = ring_.current_block();
    if (block == nullptr) {
        const bool ready = wait_readable(timeout_ms);
        if (!error_.empty()) return PollResult::kError;
        if (!ready) return PollResult::kIdle;
        block = ring_.current_block();
        if (block == nullptr) return PollResult::kIdle;
    }
    const uint32_t delivered = walk_block(*block, sink);
    if (delivered > 0) sink.end_batch();
    ring_.release_block();
    return delivered > 0 ? PollResult::kFrames : PollResult::kIdle;
}

uint32_t AfPacketSource::walk_block(const tpacket_block_desc& block, FrameSink& sink) noexcept {
    const auto* base = reinterpret_cast<const uint8_t*>(&block);
    const uint32_t block_size = ring_.block_size();
    const uint32_t num_pkts = block.hdr.bh1.num_pkts;
    uint32_t off = block.hdr.bh1.offset_to_first_pkt;
    uint32_t delivered = 0;
    TimestampNs sync_after = 0;
    if (!synced_) sync_after = sync_->formed_at_ns();

    for (uint32_t i = 0; i < num_pkts; ++i) {
        // The kernel wrote these offsets; still never step outside the block.
        if (off < sizeof(tpacket_block_desc) || off > block_size - sizeof(tpacket3_hdr)) {
            ++counters_.bad_records;
            break;
        }
        const auto* hdr = reinterpret_cast<const tpacket3_hdr*>(base + off);
        const uint32_t room = block_size - off;
        if (hdr->tp_mac > room || hdr->tp_snaplen > room - hdr->tp_mac) {
            ++counters_.bad_records;
            break;
        }
        const TimestampNs ts = static_cast<TimestampNs>(hdr->tp_sec) * kNsPerSec + hdr->tp_nsec;
        bool deliver = true;
        if (skip_outgoing_) {
            // sockaddr_ll follows the aligned tpacket3_hdr (the kernel places tp_mac after it).
            const size_t sll_off = align_frame(sizeof(tpacket3_hdr));
            if (sll_off + sizeof(sockaddr_ll) <= hdr->tp_mac) {
                const auto* sll = reinterpret_cast<const sockaddr_ll*>(base + off + sll_off);
                if (sll->sll_pkttype == PACKET_OUTGOING) deliver = false;
            }
        }
        if (deliver && !synced_) {
            // Until the group formed, and for frames stamped before it formed: discard.
            if (sync_after == 0 || ts < sync_after) {
                ++counters_.discarded_sync;
                deliver = false;
            } else {
                synced_ = true;
            }
        }
        if (deliver) {
            RawFrame frame;
            frame.data = base + off + hdr->tp_mac;
            frame.caplen = hdr->tp_snaplen < snaplen_ ? hdr->tp_snaplen : snaplen_;
            frame.wirelen = hdr->tp_len;
            frame.ts_ns = ts;
            if (frame.caplen < frame.wirelen) ++counters_.truncated;
            if ((hdr->tp_status & TP_STATUS_VLAN_VALID) != 0) {
                frame.vlan_valid = true;
                frame.vlan_tci = static_cast<uint16_t>(hdr->hv1.tp_vlan_tci);
                if ((hdr->tp_status & TP_STATUS_VLAN_TPID_VALID) != 0) frame.vlan_tpid = hdr->hv1.tp_vlan_tpid;
            }
            sink.on_frame(frame);
            ++counters_.frames;
            counters_.bytes += frame.wirelen;
            ++delivered;
        }
        if (hdr->tp_next_offset == 0) break;
        off += hdr->tp_next_offset;
    }
    return delivered;
}

void AfPacketSource::refresh_stats() noexcept {
    tpacket_stats_v3 st{};
    socklen_t len = sizeof(st);
    // Reading resets the kernel counters, so accumulate; tp_packets already includes tp_drops.
    if (getsockopt(fd_, SOL_PACKET, PACKET_STATISTICS, &st, &len) != 0) return;
    counters_.kernel_packets += st.tp_packets;
    counters_.kernel_drops += st.tp_drops;
    counters_.kernel_freezes += st.tp_freeze_q_cnt;
}

}  // namespace nms::capture
