#include <catch2/catch.hpp>

#include "detector_harness.hpp"
#include "detect/detectors/detectors.hpp"

using namespace nms;
using namespace nms::detect;
using namespace nms::detect::test;

namespace {

const uint8_t kGwMac[6] = {0x02, 0, 0, 0, 0, 0x01}, kGwIp[4] = {10, 0, 0, 1};
const uint8_t kVictimMac[6] = {0x02, 0, 0, 0, 0, 0x14}, kVictimIp[4] = {10, 0, 0, 20};
const uint8_t kAttackerMac[6] = {0x02, 0, 0, 0, 0, 0x42}, kAttackerIp[4] = {10, 0, 0, 66};
const uint8_t kZeroMac[6] = {};

constexpr TimestampNs sec(uint64_t s) { return kT0 + s * kNsPerSec; }

// The LAN before the attack: the victim asks for the gateway and gets its reply; the attacker
// asks for both (as arpspoof does to learn their MACs).
void normal_lan(Harness& h) {
    h.packet(0, *arp(1, kVictimMac, kVictimIp, kZeroMac, kGwIp, gen::kBroadcastMac, sec(0)));
    h.packet(1, *arp(2, kGwMac, kGwIp, kVictimMac, kVictimIp, kVictimMac, sec(0) + kNsPerMs));
    h.packet(0, *arp(1, kAttackerMac, kAttackerIp, kZeroMac, kGwIp, gen::kBroadcastMac, sec(1)));
    h.packet(1, *arp(2, kGwMac, kGwIp, kAttackerMac, kAttackerIp, kAttackerMac, sec(1) + kNsPerMs));
    h.packet(0, *arp(1, kAttackerMac, kAttackerIp, kZeroMac, kVictimIp, gen::kBroadcastMac, sec(1) + 2 * kNsPerMs));
    h.packet(1, *arp(2, kVictimMac, kVictimIp, kAttackerMac, kAttackerIp, kAttackerMac, sec(1) + 3 * kNsPerMs));
}

// arpspoof -t victim gateway: every 2 s, "gateway is at <attacker>" to the victim.
void poison_victim(Harness& h, uint64_t from_s, uint64_t to_s) {
    for (uint64_t s = from_s; s < to_s; s += 2)
        h.packet(static_cast<uint32_t>(s % 2), *arp(2, kAttackerMac, kGwIp, kVictimMac, kVictimIp, kVictimMac, sec(s)));
}

}  // namespace

TEST_CASE("arp_spoof: a MAC claiming the gateway's IP while the gateway lives", "[detect][arp_spoof]") {
    Harness h(arp_spoof_detector(), config::DetectConfig{});
    normal_lan(h);
    poison_victim(h, 4, 20);
    std::vector<AlertCandidate> alerts;
    int64_t first_alert = -1;
    for (int64_t s = second_of(sec(0)); s <= second_of(sec(21)); ++s) {
        auto got = h.end_second(s);
        if (!got.empty() && first_alert < 0) first_alert = s - second_of(sec(0));
        for (auto& c : got) alerts.push_back(std::move(c));
    }
    CHECK(first_alert == 8);  // the third claim (seconds 4, 6, 8)
    REQUIRE_FALSE(alerts.empty());
    const AlertCandidate& c = alerts.back();
    CHECK(c.has_src);
    CHECK(c.src == IpAddr::from_v4(kAttackerIp));  // its own address, from its own requests
    CHECK(c.src_mac == "02:00:00:00:00:42");
    CHECK(c.has_victim);
    CHECK(c.victim == IpAddr::from_v4(kGwIp));
    CHECK(c.victim_count == 1);
    CHECK(c.severity == Severity::kInfo);  // the kind's default (high) is applied by the engine
    CHECK(c.explanation.metric == "conflicting_claims");
    CHECK(c.explanation.value >= 3);
    CHECK(evidence_text(c, "contested").find("10.0.0.1 owner 02:00:00:00:00:01") != std::string::npos);
    CHECK(evidence_text(c, "mitm") == "no");
}

TEST_CASE("arp_spoof: claiming both ends is the man-in-the-middle pattern (critical)", "[detect][arp_spoof]") {
    Harness h(arp_spoof_detector(), config::DetectConfig{});
    normal_lan(h);
    for (uint64_t s = 4; s < 12; s += 2) {
        h.packet(0, *arp(2, kAttackerMac, kGwIp, kVictimMac, kVictimIp, kVictimMac, sec(s)));
        h.packet(1, *arp(2, kAttackerMac, kVictimIp, kGwMac, kGwIp, kGwMac, sec(s)));
    }
    // The real gateway answers somebody meanwhile: a flapping binding.
    const uint8_t other_mac[6] = {0x02, 0, 0, 0, 0, 0x30}, other_ip[4] = {10, 0, 0, 48};
    h.packet(1, *arp(2, kGwMac, kGwIp, other_mac, other_ip, other_mac, sec(9)));
    const auto alerts = h.end_seconds(second_of(sec(0)), second_of(sec(12)));
    REQUIRE_FALSE(alerts.empty());
    const AlertCandidate& c = alerts.back();
    CHECK(c.severity == Severity::kCritical);
    CHECK(c.victim_count == 2);
    CHECK(c.top_peers.size() == 2);
    CHECK(evidence_text(c, "mitm") == "yes");
    CHECK(std::stod(evidence_text(c, "owner_reclaims")) >= 1);
    // The gateway answering for its own IP is never the accused.
    for (const auto& a : alerts) CHECK(a.src_mac == "02:00:00:00:00:42");
}

TEST_CASE("arp_spoof: an address reused after its owner went silent, and a few stray claims, stay quiet",
          "[detect][arp_spoof]") {
    Harness h(arp_spoof_detector(), config::DetectConfig{});
    const uint8_t old_mac[6] = {0x02, 0, 0, 0, 0, 0x55}, new_mac[6] = {0x02, 0, 0, 0, 0, 0x56};
    const uint8_t ip[4] = {10, 0, 0, 55};
    // DHCP gave 10.0.0.55 to another device after the first left (10 min of silence).
    h.packet(0, *arp(1, old_mac, ip, kZeroMac, kGwIp, gen::kBroadcastMac, sec(0)));
    for (uint64_t s = 600; s < 620; s += 2)
        h.packet(1, *arp(1, new_mac, ip, kZeroMac, kGwIp, gen::kBroadcastMac, sec(s)));
    // One host with several addresses (no one else claims them) and a gratuitous re-announce.
    for (uint8_t i = 100; i < 110; ++i) {
        const uint8_t vip[4] = {10, 0, 0, i};
        h.packet(i % 2, *arp(1, kGwMac, vip, kZeroMac, vip, gen::kBroadcastMac, sec(601)));
    }
    // Two stray claims of the victim's IP (below min_claims = 3).
    h.packet(0, *arp(1, kVictimMac, kVictimIp, kZeroMac, kGwIp, gen::kBroadcastMac, sec(602)));
    h.packet(0, *arp(2, kAttackerMac, kVictimIp, kGwMac, kGwIp, kGwMac, sec(603)));
    h.packet(1, *arp(2, kAttackerMac, kVictimIp, kGwMac, kGwIp, kGwMac, sec(604)));
    CHECK(h.end_seconds(second_of(sec(0)), second_of(sec(0))).empty());
    CHECK(h.end_seconds(second_of(sec(600)), second_of(sec(625))).empty());
}

TEST_CASE("arp_spoof: the binding table is bounded under a flood of random claims", "[detect][arp_spoof]") {
    config::DetectConfig cfg;
    cfg.arp_spoof.max_bindings = 1000;
    Harness h(arp_spoof_detector(), cfg);
    for (uint32_t i = 0; i < 20000; ++i) {
        const uint8_t ip[4] = {10, static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
        const uint8_t mac[6] = {0x02, 0, 0, static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 8),
                                static_cast<uint8_t>(i)};
        h.packet(i % 2, *arp(1, mac, ip, kZeroMac, kGwIp, gen::kBroadcastMac, sec(i / 1000)));
        if (i % 1000 == 999) CHECK(h.end_second(second_of(sec(i / 1000))).empty());
    }
    // The oldest bindings made room: a new MAC taking the first address is no conflict any more
    // (with every binding kept, its owner claimed it 21 s ago and would count as alive).
    const uint8_t first_ip[4] = {10, 0, 0, 0};
    for (uint64_t s = 21; s < 27; s += 2)
        h.packet(0, *arp(1, kAttackerMac, first_ip, kZeroMac, kGwIp, gen::kBroadcastMac, sec(s)));
    CHECK(h.end_seconds(second_of(sec(20)), second_of(sec(27))).empty());
    // Control: the same claims against a binding that is still known do alert.
    const uint8_t last_ip[4] = {10, 0, static_cast<uint8_t>(19999 >> 8), static_cast<uint8_t>(19999 & 0xff)};
    for (uint64_t s = 28; s < 34; s += 2)
        h.packet(0, *arp(1, kAttackerMac, last_ip, kZeroMac, kGwIp, gen::kBroadcastMac, sec(s)));
    CHECK_FALSE(h.end_seconds(second_of(sec(28)), second_of(sec(34))).empty());
}

TEST_CASE("arp_spoof: poisoning seen before the real owners spoke still names the impostor", "[detect][arp_spoof]") {
    Harness h(arp_spoof_detector(), config::DetectConfig{});
    // arpspoof -t victim -r gateway started before the capture: its replies come first.
    for (uint64_t s = 0; s < 16; s += 2) {
        h.packet(0, *arp(2, kAttackerMac, kGwIp, kVictimMac, kVictimIp, kVictimMac, sec(s)));
        h.packet(1, *arp(2, kAttackerMac, kVictimIp, kGwMac, kGwIp, kGwMac, sec(s)));
        if (s % 6 == 4) {  // the real owners answer now and then
            h.packet(1, *arp(2, kGwMac, kGwIp, kAttackerMac, kAttackerIp, kAttackerMac, sec(s) + kNsPerMs));
            h.packet(0, *arp(2, kVictimMac, kVictimIp, kAttackerMac, kAttackerIp, kAttackerMac, sec(s) + kNsPerMs));
        }
    }
    const auto alerts = h.end_seconds(second_of(sec(0)), second_of(sec(16)));
    REQUIRE_FALSE(alerts.empty());
    for (const auto& a : alerts) CHECK(a.src_mac == "02:00:00:00:00:42");
    CHECK(alerts.back().victim_count == 2);
    CHECK(alerts.back().severity == Severity::kCritical);
}
