#include "capture/bpf_filter.hpp"

#include <linux/filter.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace nms::capture {

BpfFilter::~BpfFilter() {
    if (compiled_) pcap_freecode(&prog_);
}

bool BpfFilter::compile(const std::string& expression, int linktype, int snaplen, std::string& error) {
    pcap_t* dead = pcap_open_dead(linktype, snaplen);
    if (dead == nullptr) {
        error = "cannot compile BPF filter '" + expression + "': pcap_open_dead failed";
        return false;
    }
    if (compiled_) {
        pcap_freecode(&prog_);
        compiled_ = false;
    }
    const int rc = pcap_compile(dead, &prog_, expression.c_str(), 1, PCAP_NETMASK_UNKNOWN);
    if (rc != 0) {
        error = "invalid BPF filter '" + expression + "': " + pcap_geterr(dead);
        pcap_close(dead);
        return false;
    }
    pcap_close(dead);
    compiled_ = true;
    return true;
}

bool BpfFilter::attach(int fd, std::string& error) const {
    if (!compiled_) {
        error = "BPF filter not compiled";
        return false;
    }
    // struct bpf_insn (libpcap) and struct sock_filter (kernel) share one layout.
    static_assert(sizeof(bpf_insn) == sizeof(sock_filter));
    sock_fprog fprog{};
    fprog.len = static_cast<unsigned short>(prog_.bf_len);
    fprog.filter = reinterpret_cast<sock_filter*>(prog_.bf_insns);
    if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof(fprog)) != 0) {
        error = std::string("cannot attach BPF filter: ") + std::strerror(errno);
        return false;
    }
    return true;
}

}  // namespace nms::capture
