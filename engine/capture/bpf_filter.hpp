#pragma once
// BpfFilter: a libpcap filter expression compiled to classic BPF for an Ethernet link
// (pcap_open_dead), ready for SO_ATTACH_FILTER. The program's accept value is the snap
// length, which is how an AF_PACKET socket truncates frames; an empty expression therefore
// still yields a one-instruction "accept snaplen bytes" program.
#include <pcap/pcap.h>

#include <string>

namespace nms::capture {

class BpfFilter {
 public:
    BpfFilter() = default;
    ~BpfFilter();
    BpfFilter(const BpfFilter&) = delete;
    BpfFilter& operator=(const BpfFilter&) = delete;

    // False + error ("invalid BPF filter 'EXPR': REASON") when the expression does not compile.
    bool compile(const std::string& expression, int linktype, int snaplen, std::string& error);
    // Attaches to a socket with SO_ATTACH_FILTER.
    bool attach(int fd, std::string& error) const;
    [[nodiscard]] const bpf_program& program() const noexcept { return prog_; }

 private:
    bpf_program prog_{};
    bool compiled_ = false;
};

}  // namespace nms::capture
