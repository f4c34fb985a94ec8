// Plays a capture file through the evidence pieces exactly as the engine wires them:
// packets are sharded over N collectors (one per "worker") by the dispatcher's shard hash,
// each worker polls its collector every 32 packets with its packet clock, an alert for HOST
// "opens" when the packet clock reaches AT, and the writer merges the parts into a pcap.
// Prints {"file": ..., "packets": ..., "complete": ...} for the test script to check with tshark.
// Usage: evidence_probe FILE HOST AT_NS BEFORE_S AFTER_S WORKERS OUT_DIR [RING_KIB [SNAPLEN]]
#include <pcap/pcap.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "decode/decode.hpp"
#include "evidence/evidence_recorder.hpp"
#include "evidence/evidence_writer.hpp"

using namespace nms;

int main(int argc, char** argv) {
    if (argc < 8) {
        std::fprintf(stderr, "usage: %s FILE HOST AT_NS BEFORE_S AFTER_S WORKERS OUT_DIR [RING_KIB [SNAPLEN]]\n", argv[0]);
        return 2;
    }
    const auto host = IpAddr::parse(argv[2]);
    if (!host) return 2;
    const TimestampNs at = std::strtoull(argv[3], nullptr, 10);
    const auto before = static_cast<uint32_t>(std::strtoul(argv[4], nullptr, 10));
    const auto after = static_cast<uint32_t>(std::strtoul(argv[5], nullptr, 10));
    const auto workers = static_cast<size_t>(std::strtoul(argv[6], nullptr, 10));
    const size_t ring = argc > 8 ? std::strtoull(argv[8], nullptr, 10) << 10 : size_t{8} << 20;
    const auto snaplen = argc > 9 ? static_cast<uint32_t>(std::strtoul(argv[9], nullptr, 10)) : 256u;

    char err[PCAP_ERRBUF_SIZE];
    pcap_t* p = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, err);
    if (!p) {
        std::fprintf(stderr, "%s\n", err);
        return 2;
    }
    const auto link = static_cast<decode::LinkType>(pcap_datalink(p));

    std::vector<std::unique_ptr<evidence::EvidenceCollector>> owned;
    std::vector<evidence::EvidenceCollector*> cs;
    for (size_t w = 0; w < workers; ++w) {
        owned.push_back(std::make_unique<evidence::EvidenceCollector>(ring, snaplen, ring));
        cs.push_back(owned.back().get());
    }
    evidence::EvidenceWriterOptions o;
    o.dir = argv[7];
    o.snaplen = snaplen;
    evidence::EvidenceFile written;
    evidence::EvidenceWriter writer(o, cs, [&](const evidence::EvidenceFile& f) { written = f; });
    if (auto e = writer.open()) {
        std::fprintf(stderr, "%s\n", e->c_str());
        return 2;
    }
    evidence::EvidenceRecorder recorder(cs, before, after);

    detect::Alert alert;
    alert.id = 1;
    alert.kind = detect::AlertKind::kPortScanVertical;
    alert.has_src = true;
    alert.src = *host;
    alert.first_seen = alert.last_seen = at;
    bool opened = false;

    std::vector<TimestampNs> clock(workers, 0);
    std::vector<uint32_t> since_poll(workers, 0);
    decode::PacketView v;
    pcap_pkthdr* h = nullptr;
    const u_char* data = nullptr;
    while (pcap_next_ex(p, &h, &data) == 1) {
        const TimestampNs ts = uint64_t(h->ts.tv_sec) * kNsPerSec + uint64_t(h->ts.tv_usec);  // nano precision
        if (!opened && ts >= at) {
            recorder.on_alert(alert, detect::AlertPhase::kOpened);  // the stats thread's call
            opened = true;
        }
        decode::decode_packet(link, data, h->caplen, h->len, ts, v);
        const size_t w = v.status == decode::DecodeStatus::kFlow ? decode::shard_hash(v.key) % workers : 0;
        cs[w]->record(link, data, h->caplen, h->len, ts);
        if (ts > clock[w]) clock[w] = ts;
        if (++since_poll[w] == 32) {
            since_poll[w] = 0;
            cs[w]->poll(clock[w]);
        }
        writer.drain_once(false);
    }
    pcap_close(p);
    for (size_t w = 0; w < workers; ++w) cs[w]->finish();
    writer.drain_once(true);
    const auto wc = writer.counters();
    if (std::getenv("NMS_EVIDENCE_DEBUG"))
        std::fprintf(stderr, "parts %s empty %s written %s errors %s\n", std::to_string(wc.parts).c_str(),
                     std::to_string(wc.empty).c_str(), std::to_string(wc.files_written).c_str(),
                     std::to_string(wc.write_errors).c_str());
    std::printf("{\"file\": \"%s\", \"packets\": %llu, \"complete\": %s, \"requested\": %llu}\n",
                written.file_name.c_str(), static_cast<unsigned long long>(written.packets),
                written.complete ? "true" : "false", static_cast<unsigned long long>(recorder.requested()));
    return written.file_name.empty() ? 1 : 0;
}
