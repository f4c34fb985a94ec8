#include <catch2/catch.hpp>

#include "detect_harness.hpp"

using namespace nms;
using namespace nms::test;
using detect::AlertKind;

TEST_CASE("UDP flood: an unanswered stream of datagrams at one victim", "[detect][flood]") {
    DetectHarness h(default_detect(), 2);
    // hping3 --udp --flood: 15000 pps for 10 s from random source ports of one host.
    for (int i = 0; i < 150000; ++i)
        h.udp("203.0.113.50", static_cast<uint16_t>(1024 + i % 5000), "10.0.0.53", 53, sec(300 + i / 15000.0), 64);
    h.tick(true);
    const auto a = h.final_state(AlertKind::kUdpFlood);  // one per episode, as it ended
    REQUIRE(a.size() == 1);
    CHECK(a[0].src == ip("203.0.113.50"));
    CHECK(a[0].victim == ip("10.0.0.53"));
    CHECK(a[0].explanation.value >= 10000);
    CHECK(a[0].explanation.metric == "udp_pps");
}

TEST_CASE("UDP flood: quiet for a fast answered stream (QUIC download)", "[detect][flood]") {
    DetectHarness h(default_detect(), 2);
    // 20000 pps server -> client, the client acknowledging every fourth packet.
    for (int i = 0; i < 200000; ++i) {
        const TimestampNs t = sec(10 + i / 20000.0);
        h.udp("142.250.1.1", 443, "10.0.0.7", 51000, t, 1200);
        if (i % 4 == 0) h.udp("10.0.0.7", 51000, "142.250.1.1", 443, t + 1000, 40);
    }
    h.tick(true);
    CHECK(h.opened(AlertKind::kUdpFlood).empty());
    CHECK(h.opened(AlertKind::kDdos).empty());
}
