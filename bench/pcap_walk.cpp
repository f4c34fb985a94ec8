// pcap_walk FILE [--repeat N]: the offline ceiling on its own (see pcap_walk.hpp). Prints the
// best of N walks as {file, packets, bytes, seconds, mpps, ns_per_packet}.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "pcap_walk.hpp"

int main(int argc, char** argv) {
    std::string file;
    int repeat = 3;
    bool bad = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--repeat" && i + 1 < argc) repeat = std::atoi(argv[++i]);
        else if (file.empty() && !a.empty() && a[0] != '-') file = a;
        else bad = true;
    }
    if (bad || file.empty() || repeat < 1) {
        std::fprintf(stderr, "usage: pcap_walk FILE [--repeat N]\n");
        return 2;
    }
    nms::bench::PcapWalkResult best;
    for (int i = 0; i < repeat; ++i) {
        auto r = nms::bench::pcap_walk(file);
        if (!r.error.empty()) {
            std::fprintf(stderr, "pcap_walk: %s: %s\n", file.c_str(), r.error.c_str());
            return 1;
        }
        if (i == 0 || r.seconds < best.seconds) best = r;
    }
    std::printf("{\"file\": \"%s\", \"packets\": %llu, \"bytes\": %llu, \"seconds\": %.6f, \"mpps\": %.3f, "
                "\"ns_per_packet\": %.1f}\n",
                file.c_str(), static_cast<unsigned long long>(best.packets),
                static_cast<unsigned long long>(best.bytes), best.seconds, best.mpps(), best.ns_per_packet());
    return 0;
}
