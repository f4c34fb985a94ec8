#include "capture/pcap_file_source.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include "capture/link_type_map.hpp"
#include "common/log.hpp"

namespace nms::capture {

std::unique_ptr<PcapFileSource> PcapFileSource::open(const PcapFileOptions& options, std::string& error) {
    std::unique_ptr<PcapFileSource> src(new PcapFileSource());
    src->options_ = options;
    if (src->options_.batch == 0) src->options_.batch = 256;
    if (src->options_.snaplen == 0) src->options_.snaplen = 2048;
    if (!(src->options_.replay_speed >= 0) || std::isinf(src->options_.replay_speed)) {
        error = "replay_speed must be a finite number >= 0";
        return nullptr;
    }
    src->name_ = options.path;
    src->wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (src->wake_fd_ < 0) {
        error = std::string("eventfd: ") + std::strerror(errno);
        return nullptr;
    }
    if (!src->open_file(error)) return nullptr;
    return src;
}

PcapFileSource::~PcapFileSource() {
    if (pcap_ != nullptr) pcap_close(pcap_);
    if (wake_fd_ >= 0) close(wake_fd_);
}

bool PcapFileSource::open_file(std::string& error) {
    if (pcap_ != nullptr) pcap_close(pcap_);
    pcap_ = nullptr;
    pending_hdr_ = nullptr;
    pending_data_ = nullptr;
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_ = pcap_open_offline_with_tstamp_precision(options_.path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (pcap_ == nullptr) {
        error = "cannot read capture file " + options_.path + ": " + errbuf;
        return false;
    }
    const int dlt = pcap_datalink(pcap_);
    const auto lt = link_type_from_dlt(dlt);
    if (!lt) {
        const char* dlt_name = pcap_datalink_val_to_name(dlt);
        error = "unsupported link type " + std::to_string(dlt) + " (" + (dlt_name ? dlt_name : "unknown") +
                ") in " + options_.path;
        pcap_close(pcap_);
        pcap_ = nullptr;
        return false;
    }
    link_type_ = *lt;
    if (!options_.bpf.empty()) {
        bpf_program prog{};
        if (pcap_compile(pcap_, &prog, options_.bpf.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
            error = "invalid BPF filter '" + options_.bpf + "': " + pcap_geterr(pcap_);
            pcap_close(pcap_);
            pcap_ = nullptr;
            return false;
        }
        const int rc = pcap_setfilter(pcap_, &prog);
        pcap_freecode(&prog);
        if (rc != 0) {
            error = "cannot set BPF filter '" + options_.bpf + "': " + pcap_geterr(pcap_);
            pcap_close(pcap_);
            pcap_ = nullptr;
            return false;
        }
    }
    base_set_ = false;
    records_this_pass_ = 0;
    return true;
}

void PcapFileSource::interrupt() noexcept {
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = write(wake_fd_, &one, sizeof(one));
}

bool PcapFileSource::next_pass() noexcept {
    ++passes_done_;
    // A pass that yielded nothing would make loop = 0 spin forever.
    if (records_this_pass_ == 0) return false;
    if (options_.loop != 0 && passes_done_ >= options_.loop) return false;
    std::string err;
    if (!open_file(err)) {
        error_ = err;
        failed_ = true;
        return false;
    }
    return true;
}

bool PcapFileSource::wait_until(uint64_t due_ns, uint64_t deadline_ns) noexcept {
    for (;;) {
        const uint64_t now = monotonic_ns();
        if (now >= due_ns) return true;
        if (now >= deadline_ns) return false;
        const uint64_t wait = (due_ns < deadline_ns ? due_ns : deadline_ns) - now;
        timespec ts{};
        ts.tv_sec = static_cast<time_t>(wait / kNsPerSec);
        ts.tv_nsec = static_cast<long>(wait % kNsPerSec);
        pollfd pfd{wake_fd_, POLLIN, 0};
        const int rc = ppoll(&pfd, 1, &ts, nullptr);
        if (rc > 0 && (pfd.revents & POLLIN) != 0) {
            uint64_t value = 0;
            [[maybe_unused]] const ssize_t n = read(wake_fd_, &value, sizeof(value));
            return false;
        }
        if (rc < 0 && errno != EINTR) return false;
    }
}

bool PcapFileSource::deliver(const pcap_pkthdr& hdr, const u_char* data, FrameSink& sink) noexcept {
    uint32_t caplen = hdr.caplen;
    uint32_t wirelen = hdr.len;
    if (caplen == 0) {
        ++counters_.bad_records;
        return false;
    }
    if (wirelen == 0) {   // writer left orig_len empty: the captured bytes are all we know
        wirelen = caplen;
        ++counters_.clamped;
    } else if (caplen > wirelen) {   // bytes past the wire length cannot be frame data
        caplen = wirelen;
        ++counters_.clamped;
    }
    if (caplen > options_.snaplen) caplen = options_.snaplen;
    if (caplen < wirelen) ++counters_.truncated;
    RawFrame frame;
    frame.data = data;
    frame.caplen = caplen;
    frame.wirelen = wirelen;
    // Opened with nanosecond precision: tv_usec holds nanoseconds.
    frame.ts_ns = static_cast<TimestampNs>(hdr.ts.tv_sec) * kNsPerSec + static_cast<TimestampNs>(hdr.ts.tv_usec);
    sink.on_frame(frame);
    ++counters_.frames;
    counters_.bytes += wirelen;
    return true;
}

void PcapFileSource::resumed_after(uint64_t paused_ns) noexcept {
    if (base_set_) base_mono_ns_ += paused_ns;  // paced replay continues where it stopped
}

PollResult PcapFileSource::poll(FrameSink& sink, int timeout_ms) noexcept {
    if (failed_) return PollResult::kError;
    if (eof_) return PollResult::kEof;
    const bool paced = options_.replay_speed > 0;
    const uint64_t deadline = monotonic_ns() + static_cast<uint64_t>(timeout_ms < 0 ? 0 : timeout_ms) * kNsPerMs;
    uint32_t delivered = 0;
    for (uint32_t records = 0; records < options_.batch;) {
        if (pending_hdr_ == nullptr) {
            const int rc = pcap_next_ex(pcap_, &pending_hdr_, &pending_data_);
            if (rc != 1) {
                pending_hdr_ = nullptr;
                if (rc == PCAP_ERROR) {
                    // Truncated or corrupt record: count it, keep the reason, end this pass.
                    ++counters_.bad_records;
                    error_ = options_.path + ": " + pcap_geterr(pcap_);
                    log::warn("%s (stopping this pass after %llu records)", error_.c_str(),
                              static_cast<unsigned long long>(records_this_pass_));
                }
                if (!next_pass()) {
                    eof_ = !failed_;
                    break;
                }
                continue;
            }
            ++records_this_pass_;
        }
        if (paced) {
            const TimestampNs ts = static_cast<TimestampNs>(pending_hdr_->ts.tv_sec) * kNsPerSec +
                                   static_cast<TimestampNs>(pending_hdr_->ts.tv_usec);
            if (!base_set_) {
                base_set_ = true;
                base_ts_ns_ = ts;
                base_mono_ns_ = monotonic_ns();
            }
            const double offset = ts > base_ts_ns_ ? static_cast<double>(ts - base_ts_ns_) / options_.replay_speed : 0;
            const uint64_t due = base_mono_ns_ + static_cast<uint64_t>(offset);
            if (due > monotonic_ns()) {
                if (delivered > 0) break;   // hand over what is due before sleeping
                if (!wait_until(due, deadline)) break;
            }
        }
        if (deliver(*pending_hdr_, pending_data_, sink)) ++delivered;
        pending_hdr_ = nullptr;
        ++records;
    }
    if (delivered > 0) {
        sink.end_batch();
        return PollResult::kFrames;
    }
    if (failed_) return PollResult::kError;
    return eof_ ? PollResult::kEof : PollResult::kIdle;
}

}  // namespace nms::capture
