#include "capture/pcap_live_source.hpp"

#include <net/if.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "capture/capture_errors.hpp"
#include "capture/link_type_map.hpp"
#include "common/log.hpp"

namespace nms::capture {

std::unique_ptr<PcapLiveSource> PcapLiveSource::open(const PcapLiveOptions& options, std::string& error) {
    std::unique_ptr<PcapLiveSource> src(new PcapLiveSource());
    if (!src->setup(options, error)) return nullptr;
    return src;
}

PcapLiveSource::~PcapLiveSource() {
    if (pcap_ != nullptr) pcap_close(pcap_);
    if (wake_fd_ >= 0) close(wake_fd_);
}

bool PcapLiveSource::setup(const PcapLiveOptions& options, std::string& error) {
    name_ = options.interface;
    snaplen_ = options.snaplen == 0 ? 2048 : options.snaplen;
    if (options.interface.empty() || if_nametoindex(options.interface.c_str()) == 0) {
        error = no_such_interface_error(options.interface);
        return false;
    }
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) {
        error = std::string("eventfd: ") + std::strerror(errno);
        return false;
    }
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_ = pcap_create(options.interface.c_str(), errbuf);
    if (pcap_ == nullptr) {
        error = "cannot open " + options.interface + ": " + errbuf;
        return false;
    }
    pcap_set_snaplen(pcap_, static_cast<int>(snaplen_));
    pcap_set_promisc(pcap_, options.promiscuous ? 1 : 0);
    pcap_set_immediate_mode(pcap_, 1);
    pcap_set_timeout(pcap_, options.timeout_ms);
    pcap_set_buffer_size(pcap_, static_cast<int>(options.buffer_bytes));
    pcap_set_tstamp_precision(pcap_, PCAP_TSTAMP_PRECISION_NANO);   // falls back to micro if unsupported

    const int rc = pcap_activate(pcap_);
    if (rc == PCAP_ERROR_PERM_DENIED || rc == PCAP_ERROR_PROMISC_PERM_DENIED) {
        error = permission_error(options.interface);
        return false;
    }
    if (rc == PCAP_ERROR_NO_SUCH_DEVICE) {
        error = no_such_interface_error(options.interface);
        return false;
    }
    if (rc == PCAP_ERROR_IFACE_NOT_UP) {
        log::warn("interface %s is down; capturing anyway", options.interface.c_str());
    } else if (rc < 0) {
        error = "cannot capture on " + options.interface + ": " + pcap_geterr(pcap_);
        return false;
    } else if (rc > 0) {
        log::warn("%s: %s", options.interface.c_str(), pcap_statustostr(rc));
    }

    const int dlt = pcap_datalink(pcap_);
    const auto lt = link_type_from_dlt(dlt);
    if (!lt) {
        const char* dlt_name = pcap_datalink_val_to_name(dlt);
        error = "unsupported link type " + std::to_string(dlt) + " (" + (dlt_name ? dlt_name : "?") + ") on " +
                options.interface;
        return false;
    }
    link_type_ = *lt;
    ts_frac_to_ns_ = pcap_get_tstamp_precision(pcap_) == PCAP_TSTAMP_PRECISION_NANO ? 1 : kNsPerUs;

    if (!options.bpf.empty()) {
        bpf_program prog{};
        if (pcap_compile(pcap_, &prog, options.bpf.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
            error = "invalid BPF filter '" + options.bpf + "': " + pcap_geterr(pcap_);
            return false;
        }
        const int frc = pcap_setfilter(pcap_, &prog);
        pcap_freecode(&prog);
        if (frc != 0) {
            error = "cannot set BPF filter '" + options.bpf + "': " + pcap_geterr(pcap_);
            return false;
        }
    }
    if (pcap_setnonblock(pcap_, 1, errbuf) != 0) {
        error = "cannot set non-blocking mode on " + options.interface + ": " + errbuf;
        return false;
    }
    return true;
}

void PcapLiveSource::interrupt() noexcept {
    pcap_breakloop(pcap_);
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = write(wake_fd_, &one, sizeof(one));
}

void PcapLiveSource::on_packet(u_char* user, const pcap_pkthdr* hdr, const u_char* bytes) {
    auto* self = reinterpret_cast<PcapLiveSource*>(user);
    RawFrame frame;
    frame.data = bytes;
    frame.caplen = hdr->caplen < self->snaplen_ ? hdr->caplen : self->snaplen_;
    frame.wirelen = hdr->len;
    // With nanosecond precision tv_usec holds nanoseconds.
    frame.ts_ns = static_cast<TimestampNs>(hdr->ts.tv_sec) * kNsPerSec +
                  static_cast<TimestampNs>(hdr->ts.tv_usec) * self->ts_frac_to_ns_;
    if (frame.caplen < frame.wirelen) ++self->counters_.truncated;
    self->sink_->on_frame(frame);
    ++self->counters_.frames;
    self->counters_.bytes += frame.wirelen;
}

PollResult PcapLiveSource::poll(FrameSink& sink, int timeout_ms) noexcept {
    sink_ = &sink;
    int n = pcap_dispatch(pcap_, kBatch, &PcapLiveSource::on_packet, reinterpret_cast<u_char*>(this));
    if (n == 0) {
        pollfd fds[2] = {{pcap_get_selectable_fd(pcap_), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
        const int rc = ::poll(fds, 2, timeout_ms);
        if (rc < 0 && errno != EINTR) {
            error_ = std::string("poll on ") + name_ + ": " + std::strerror(errno);
            return PollResult::kError;
        }
        if ((fds[1].revents & POLLIN) != 0) {
            uint64_t value = 0;
            [[maybe_unused]] const ssize_t r = read(wake_fd_, &value, sizeof(value));
            return PollResult::kIdle;
        }
        if (rc <= 0) return PollResult::kIdle;
        n = pcap_dispatch(pcap_, kBatch, &PcapLiveSource::on_packet, reinterpret_cast<u_char*>(this));
    }
    if (n < 0) {
        if (n == PCAP_ERROR_BREAK) return PollResult::kIdle;
        error_ = "capture on " + name_ + " failed: " + pcap_geterr(pcap_);
        return PollResult::kError;
    }
    if (n == 0) return PollResult::kIdle;
    sink.end_batch();
    return PollResult::kFrames;
}

void PcapLiveSource::refresh_stats() noexcept {
    pcap_stat st{};
    if (pcap_stats(pcap_, &st) != 0) return;
    // pcap_stats is cumulative (libpcap accumulates PACKET_STATISTICS itself).
    counters_.kernel_packets = st.ps_recv;
    counters_.kernel_drops = st.ps_drop;
}

}  // namespace nms::capture
