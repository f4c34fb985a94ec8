#pragma once
// pcap_walk: the offline ceiling. Reads a capture with libpcap's pcap_next_ex and touches the
// first byte of every packet, nothing else: no engine code can replay a file faster than this
// on the same machine, so pipeline figures are reported next to it.
#include <pcap/pcap.h>

#include <cstdint>
#include <ctime>
#include <string>

namespace nms::bench {

struct PcapWalkResult {
    uint64_t packets = 0;
    uint64_t bytes = 0;
    double seconds = 0;
    std::string error;  // empty on success

    [[nodiscard]] double mpps() const { return seconds > 0 ? static_cast<double>(packets) / seconds / 1e6 : 0; }
    [[nodiscard]] double ns_per_packet() const {
        return packets ? seconds * 1e9 / static_cast<double>(packets) : 0;
    }
};

inline double bench_now_s() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Times open + walk + close, the same span the pipeline benchmark times for the engine.
inline PcapWalkResult pcap_walk(const std::string& path) {
    PcapWalkResult r;
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    const double t0 = bench_now_s();
    pcap_t* p = pcap_open_offline(path.c_str(), errbuf);
    if (!p) {
        r.error = errbuf;
        return r;
    }
    pcap_pkthdr* hdr = nullptr;
    const u_char* data = nullptr;
    uint8_t touch = 0;
    int rc = 0;
    while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
        ++r.packets;
        r.bytes += hdr->len;
        if (hdr->caplen) touch ^= data[0];
    }
    if (rc == PCAP_ERROR) r.error = pcap_geterr(p);
    pcap_close(p);
    r.seconds = bench_now_s() - t0;
    asm volatile("" : : "r"(touch));  // keep the reads
    return r;
}

}  // namespace nms::bench
