// bench_evidence: the per-packet cost the evidence ring adds to a worker (PacketRing::append:
// one header + one memcpy of up to snaplen bytes), and the cost of one evidence request's
// backfill scan (decode + match of every record in a full ring), for 64-byte and 1514-byte
// frames. Prints one JSON object; asserts nothing (a shared machine makes timings noisy).
//   bench_evidence [--ring-mib 8] [--snaplen 256] [--packets 5000000]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "evidence/evidence_collector.hpp"

namespace {

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Ethernet + IPv4 + TCP, `len` bytes, source address varied by `i`.
std::vector<uint8_t> frame(uint32_t len, uint32_t i) {
    std::vector<uint8_t> f(len, 0);
    f[12] = 0x08;
    f[14] = 0x45;
    const uint32_t ip_len = len - 14;
    f[16] = static_cast<uint8_t>(ip_len >> 8);
    f[17] = static_cast<uint8_t>(ip_len);
    f[22] = 64;
    f[23] = 6;
    f[26] = 198;
    f[27] = 18;
    f[28] = static_cast<uint8_t>(i >> 8);
    f[29] = static_cast<uint8_t>(i);
    f[30] = 198;
    f[31] = 19;
    f[33] = 1;
    f[46] = 0x50;
    return f;
}

}  // namespace

int main(int argc, char** argv) {
    size_t ring_mib = 8;
    uint32_t snaplen = 256;
    uint64_t packets = 5'000'000;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--ring-mib") ring_mib = std::strtoull(argv[i + 1], nullptr, 10);
        else if (a == "--snaplen") snaplen = static_cast<uint32_t>(std::strtoul(argv[i + 1], nullptr, 10));
        else if (a == "--packets") packets = std::strtoull(argv[i + 1], nullptr, 10);
    }
    std::string out = "{\"ring_mib\": " + std::to_string(ring_mib) + ", \"snaplen\": " + std::to_string(snaplen) +
                      ", \"packets\": " + std::to_string(packets) + ", \"runs\": [";
    bool first = true;
    for (const uint32_t len : {64u, 1514u}) {
        std::vector<std::vector<uint8_t>> frames;
        for (uint32_t i = 0; i < 256; ++i) frames.push_back(frame(len, i));
        nms::evidence::EvidenceCollector c(ring_mib << 20, snaplen, ring_mib << 20);
        const double t0 = now_s();
        for (uint64_t n = 0; n < packets; ++n) {
            const auto& f = frames[n & 255];
            c.record(nms::decode::LinkType::kEthernet, f.data(), len, len, 1'000'000'000ull + n);
        }
        const double append_s = now_s() - t0;
        // One request over the full ring: the backfill scan a new alert costs the worker.
        nms::evidence::EvidenceRequest req;
        req.alert_id = 1;
        req.host = nms::IpAddr::from_v4(0xc6120005u);  // 198.18.0.5: 1 packet in 256
        req.until = ~0ull;
        req.parts = 1;
        c.request(req);
        const double t1 = now_s();
        c.poll(1);
        const double scan_s = now_s() - t1;
        c.finish();
        auto part = c.take_part();
        uint64_t records = 0;
        c.ring().for_each_from(0, [&](const nms::evidence::PacketRecord&) { ++records; });
        char buf[512];
        std::snprintf(buf, sizeof buf,
                      "%s{\"frame_bytes\": %u, \"append_ns_per_packet\": %.2f, \"ring_records\": %llu, "
                      "\"backfill_scan_ms\": %.2f, \"scan_ns_per_record\": %.1f, \"matched\": %llu}",
                      first ? "" : ", ", len, append_s * 1e9 / static_cast<double>(packets),
                      static_cast<unsigned long long>(records), scan_s * 1e3,
                      scan_s * 1e9 / static_cast<double>(records ? records : 1),
                      static_cast<unsigned long long>(part ? part->packets : 0));
        out += buf;
        first = false;
    }
    std::printf("%s]}\n", out.c_str());
    return 0;
}
