#pragma once
// Probes and answers, the raw material of the scan detectors: the first packet of a
// connection attempt (TCP SYN, first UDP datagram, ICMP echo/timestamp request) and the
// target's first acceptance of it (SYN+ACK, UDP reply, echo reply). A RST or an ICMP error
// is not an answer: that is what closed ports and absent hosts send.
#include <algorithm>
#include <array>
#include <cstdint>

#include "common/ip_addr.hpp"
#include "decode/packet_view.hpp"
#include "detect/hyperloglog.hpp"
#include "flow/flow.hpp"

namespace nms::detect {

enum class ProbeKind : uint8_t { kNone, kProbe, kAnswer };

struct Probe {
    ProbeKind kind = ProbeKind::kNone;
    const IpAddr* prober = nullptr;   // who probes (the answer's receiver)
    const IpAddr* target = nullptr;   // who is probed
    uint16_t port = 0;                // probed port (0 for ICMP)
    uint8_t proto = 0;
};

// Cheap: a few compares on fields already in cache; kNone for nearly every packet.
Probe classify_probe(const decode::PacketView& pkt, const flow::Flow* flow) noexcept;

// Probes towards one key in one interval: distinct targets (or ports), probes, answers and
// a few sample values for the evidence. Mergeable (worker -> stats, slice -> window).
template <class Sample, size_t N>
struct ProbeTally {
    SmallHll distinct;
    uint32_t probes = 0;
    uint32_t answered = 0;
    std::array<Sample, N> samples{};
    uint8_t n_samples = 0;

    [[nodiscard]] uint64_t weight() const noexcept { return probes; }
    void add_sample(const Sample& s) noexcept {
        if (n_samples >= N) return;
        for (uint8_t i = 0; i < n_samples; ++i)
            if (samples[i] == s) return;
        samples[n_samples++] = s;
    }
    void merge(const ProbeTally& o) noexcept {
        distinct.merge(o.distinct);
        probes += o.probes;
        answered += o.answered;
        for (uint8_t i = 0; i < o.n_samples; ++i) add_sample(o.samples[i]);
    }
    [[nodiscard]] double answered_ratio() const noexcept {
        return probes ? static_cast<double>(answered) / probes : 0.0;
    }
};

}  // namespace nms::detect
