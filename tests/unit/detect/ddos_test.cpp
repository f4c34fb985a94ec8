#include <catch2/catch.hpp>

#include "detect_harness.hpp"

using namespace nms;
using namespace nms::test;
using detect::AlertKind;

TEST_CASE("DDoS: many sources flooding one victim that does not answer", "[detect][flood]") {
    DetectHarness h(default_detect(), 3);
    // 600 bots, 25000 pps together of TCP ACKs to the victim's web port for 10 s.
    for (int i = 0; i < 250000; ++i) {
        const auto bot = IpAddr::from_v4(0x2e000000u + static_cast<uint32_t>(i % 600) * 257).to_string();
        h.tcp(bot.c_str(), static_cast<uint16_t>(30000 + i % 600), "10.0.0.80", 80, 0x10, sec(50 + i / 25000.0), 0);
    }
    h.tick(true);
    const auto a = h.final_state(AlertKind::kDdos);  // one per episode, as it ended
    REQUIRE(a.size() == 1);
    CHECK(a[0].victim == ip("10.0.0.80"));
    CHECK_FALSE(a[0].has_src);
    CHECK(a[0].top_peers.size() == 10);
    bool many = false;
    for (const auto& e : a[0].evidence)
        if (e.key == "distinct_sources") many = std::get<double>(e.value) >= 450;
    CHECK(many);
}

TEST_CASE("DDoS: one source dominating a victim's traffic is named", "[detect][flood]") {
    DetectHarness h(default_detect(), 2);
    for (int i = 0; i < 250000; ++i)
        h.tcp("198.51.100.7", static_cast<uint16_t>(1024 + i % 3000), "10.0.0.80", 80, 0x10, sec(50 + i / 25000.0), 0);
    h.tick(true);
    const auto a = h.final_state(AlertKind::kDdos);  // one per episode, as it ended
    REQUIRE(a.size() == 1);
    CHECK(a[0].src == ip("198.51.100.7"));
}

TEST_CASE("DDoS: quiet for a fast download that the client acknowledges", "[detect][flood]") {
    DetectHarness h(default_detect(), 2);
    for (int i = 0; i < 250000; ++i) {
        const TimestampNs t = sec(10 + i / 25000.0);
        h.tcp("151.101.1.1", 443, "10.0.0.7", 52000, 0x10, t, 1400);
        if (i % 2 == 0) h.tcp("10.0.0.7", 52000, "151.101.1.1", 443, 0x10, t + 1000);
    }
    h.tick(true);
    CHECK(h.opened(AlertKind::kDdos).empty());
}

TEST_CASE("DDoS: SYN flood from a few bots is one-way although every SYN draws a SYN-ACK", "[detect][flood]") {
    DetectHarness h(default_detect(), 2);
    // 8 bots, 12000 SYN/s together for 10 s to an open port: the victim answers each SYN with a
    // SYN-ACK and the bot's kernel resets it (hping3 without spoofing), so no handshake completes.
    for (int i = 0; i < 120000; ++i) {
        const auto bot = "10.9.0." + std::to_string(200 + i % 8);
        const auto sport = static_cast<uint16_t>(1024 + (i / 8) % 60000);
        const TimestampNs t = sec(20 + i / 12000.0);
        h.tcp(bot.c_str(), sport, "10.0.0.10", 80, 0x02, t, 0);
        h.tcp("10.0.0.10", 80, bot.c_str(), sport, 0x12, t + 1000, 0);
        h.tcp(bot.c_str(), sport, "10.0.0.10", 80, 0x04, t + 2000, 0);
    }
    h.tick(true);
    const auto a = h.final_state(AlertKind::kDdos);
    REQUIRE(a.size() == 1);
    CHECK(a[0].victim == ip("10.0.0.10"));
    CHECK_FALSE(a[0].has_src);                        // 8 sources, none dominant
    for (const auto& d : h.opened(AlertKind::kDdos))  // the SYN-ACKs never make a bot a "victim"
        CHECK(d.victim == ip("10.0.0.10"));
}

TEST_CASE("DDoS: quiet for a bulk upload whose receiver sends one ACK per 16 segments", "[detect][flood]") {
    DetectHarness h(default_detect(), 2);
    h.tcp("10.0.0.20", 40000, "203.0.113.50", 443, 0x02, sec(5), 0);
    h.tcp("203.0.113.50", 443, "10.0.0.20", 40000, 0x12, sec(5) + 1000, 0);
    h.tcp("10.0.0.20", 40000, "203.0.113.50", 443, 0x10, sec(5) + 2000, 0);
    for (int i = 0; i < 250000; ++i) {  // 25000 segments/s for 10 s
        const TimestampNs t = sec(6 + i / 25000.0);
        h.tcp("10.0.0.20", 40000, "203.0.113.50", 443, 0x10, t, 1400);
        if (i % 16 == 0) h.tcp("203.0.113.50", 443, "10.0.0.20", 40000, 0x10, t + 1000);
    }
    h.tick(true);
    CHECK(h.opened(AlertKind::kDdos).empty());
}
