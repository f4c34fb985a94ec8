#include <catch2/catch.hpp>

#include "detector_harness.hpp"
#include "detect/detectors/detectors.hpp"

using namespace nms;
using namespace nms::detect;
using namespace nms::detect::test;

namespace {

const std::vector<std::string> kLocal = {"10.0.0.0/8"};

// A TCP connection attempt from `src` to `dst`: SYN, then SYN+ACK (open), RST (closed) or nothing.
enum class Reply { kOpen, kClosed, kNone };
void connect(Harness& h, const gen::Endpoint& src, const gen::Endpoint& dst, Reply r, TimestampNs ts, uint32_t w) {
    h.packet(w, *ip_packet(src, dst, 6, decode::kTcpSyn, ts, {}, 100));
    if (r == Reply::kOpen) h.packet(w, *ip_packet(dst, src, 6, decode::kTcpSyn | decode::kTcpAck, ts + kNsPerMs, {}, 500, 101));
    if (r == Reply::kClosed) h.packet(w, *ip_packet(dst, src, 6, decode::kTcpRst | decode::kTcpAck, ts + kNsPerMs, {}, 0, 101));
}

}  // namespace

TEST_CASE("lateral_movement: one internal host fanning out to SMB/RDP/SSH on many internal hosts",
          "[detect][lateral_movement]") {
    Harness h(lateral_movement_detector(), config::DetectConfig{}, 2, kLocal);
    const uint16_t ports[] = {445, 3389, 22};
    for (uint8_t i = 0; i < 12; ++i) {
        gen::Endpoint src = host(10, 0, 0, 66, static_cast<uint16_t>(40000 + i));
        const gen::Endpoint dst = host(10, 0, 1, static_cast<uint8_t>(10 + i), ports[i % 3]);
        connect(h, src, dst, i % 4 == 0 ? Reply::kClosed : Reply::kOpen, kT0 + i * kNsPerSec, i % 2);
    }
    const auto alerts = h.end_seconds(second_of(kT0), second_of(kT0) + 13);
    REQUIRE_FALSE(alerts.empty());
    const AlertCandidate& c = alerts.back();
    CHECK(c.src == IpAddr::from_v4(0x0a000042u));
    CHECK(c.explanation.metric == "distinct_internal_hosts");
    CHECK(c.explanation.value == Approx(12).margin(1));
    CHECK(c.explanation.threshold == 8);
    CHECK(c.victim_count >= 11);
    CHECK(c.top_peers.size() == 10);
    CHECK(std::stod(evidence_text(c, "answered_hosts")) == Approx(12).margin(1));
    CHECK(std::stod(evidence_text(c, "accepted_hosts")) == Approx(9).margin(1));
    const std::string ports_ev = evidence_text(c, "ports");
    CHECK(ports_ev.find("445:4") != std::string::npos);
    CHECK(ports_ev.find("3389:4") != std::string::npos);
}

TEST_CASE("lateral_movement: admin sessions, fan-in, sweeps of empty space and external hosts stay quiet",
          "[detect][lateral_movement]") {
    Harness h(lateral_movement_detector(), config::DetectConfig{}, 2, kLocal);
    uint32_t n = 0;
    // An admin SSHing to a few servers.
    for (uint8_t i = 0; i < 3; ++i)
        connect(h, host(10, 0, 0, 5, static_cast<uint16_t>(50000 + i)), host(10, 0, 1, i, 22), Reply::kOpen,
                kT0 + i * kNsPerSec, n++ % 2);
    // Thirty workstations mapping drives on one file server (fan-in).
    for (uint8_t i = 0; i < 30; ++i)
        connect(h, host(10, 0, 2, i, 50000), host(10, 0, 0, 9, 445), Reply::kOpen, kT0 + i * kNsPerMs, n++ % 2);
    // A sweep of port 22 over a /24 where three hosts exist (the scan detectors' business).
    for (uint32_t i = 1; i < 255; ++i)
        connect(h, host(10, 0, 0, 77, static_cast<uint16_t>(40000 + i)), host(10, 0, 3, static_cast<uint8_t>(i), 22),
                i % 80 == 0 ? Reply::kOpen : Reply::kNone, kT0 + i * kNsPerMs, n++ % 2);
    // SSH to many external servers (not internal).
    for (uint8_t i = 0; i < 20; ++i)
        connect(h, host(10, 0, 0, 6, static_cast<uint16_t>(40000 + i)), host(203, 0, 113, i, 22), Reply::kOpen,
                kT0 + i * kNsPerMs, n++ % 2);
    // Seven internal hosts: below min_hosts.
    for (uint8_t i = 0; i < 7; ++i)
        connect(h, host(10, 0, 0, 8, static_cast<uint16_t>(40000 + i)), host(10, 0, 4, i, 3389), Reply::kOpen,
                kT0 + i * kNsPerMs, n++ % 2);
    CHECK(h.end_seconds(second_of(kT0), second_of(kT0) + 5).empty());
}
