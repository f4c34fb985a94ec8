#include <catch2/catch.hpp>

#include "detector_harness.hpp"
#include "detect/detectors/detectors.hpp"

using namespace nms;
using namespace nms::detect;
using namespace nms::detect::test;

namespace {

const gen::Endpoint kServer = host(10, 0, 0, 10, 22);

// One TCP session: handshake, `client_bytes` from the client, FIN both ways, over `dur`.
void session(Harness& h, gen::Endpoint client, gen::Endpoint server, size_t client_bytes, TimestampNs start,
             TimestampNs dur, uint32_t w) {
    h.packet(w, *ip_packet(client, server, 6, decode::kTcpSyn, start, {}, 100));
    h.packet(w, *ip_packet(server, client, 6, decode::kTcpSyn | decode::kTcpAck, start + kNsPerMs, {}, 500, 101));
    h.packet(w, *ip_packet(client, server, 6, decode::kTcpAck, start + 2 * kNsPerMs, {}, 101, 501));
    uint32_t seq = 101;
    for (size_t sent = 0; sent < client_bytes; sent += 1000) {
        const std::string data(std::min<size_t>(1000, client_bytes - sent), 'x');
        h.packet(w, *ip_packet(client, server, 6, decode::kTcpAck | decode::kTcpPsh, start + 3 * kNsPerMs, data, seq, 501));
        seq += static_cast<uint32_t>(data.size());
    }
    h.packet(w, *ip_packet(server, client, 6, decode::kTcpFin | decode::kTcpAck, start + dur, {}, 501, seq));
    h.packet(w, *ip_packet(client, server, 6, decode::kTcpFin | decode::kTcpAck, start + dur + kNsPerMs, {}, seq, 502));
    h.packet(w, *ip_packet(server, client, 6, decode::kTcpAck, start + dur + 2 * kNsPerMs, {}, 502, seq + 1));
}

// A refused (or accepted) login reported by DPI on a flow from `client` to `server`.
void login(Harness& h, const gen::Endpoint& client, const gen::Endpoint& server, bool ok, const char* proto,
           TimestampNs ts) {
    const auto f = ip_packet(client, server, 6, decode::kTcpAck | decode::kTcpPsh, ts, "PASS x\r\n", 1000, 1);
    const flow::Flow* fl = h.packet(0, *f);
    REQUIRE(fl);
    h.shard(0).on_security_fact({ok ? dpi::SecurityFactKind::kLoginSuccess : dpi::SecurityFactKind::kLoginFailure, proto, 0, 0},
                                &f->v, *fl);
}

}  // namespace

TEST_CASE("brute_force: an SSH guessing loop is many short small sessions", "[detect][brute_force]") {
    Harness h(brute_force_detector(), config::DetectConfig{});
    for (uint32_t i = 0; i < 15; ++i)
        session(h, host(10, 0, 0, 66, static_cast<uint16_t>(40000 + i)), kServer, 2500, kT0 + i * 2 * kNsPerSec,
                kNsPerSec, i % 2);
    h.end_flows(kT0 + 60 * kNsPerSec);  // past the closed-state linger: the sessions end
    const auto alerts = h.end_seconds(second_of(kT0), second_of(kT0) + 31);
    REQUIRE_FALSE(alerts.empty());
    const AlertCandidate& c = alerts.back();
    CHECK(c.src == IpAddr::from_v4(0x0a000042u));
    CHECK(c.has_victim);
    CHECK(c.victim == IpAddr::from_v4(kServer.ip));
    CHECK(c.explanation.metric == "short_sessions");
    CHECK(c.explanation.value == 15);
    CHECK(c.explanation.threshold == 12);
    CHECK(evidence_text(c, "service_port") == std::to_string(22.0));
    CHECK(c.severity == Severity::kInfo);  // the kind's default applies
}

TEST_CASE("brute_force: refused FTP logins from DPI, and an accepted one after them is critical",
          "[detect][brute_force]") {
    Harness h(brute_force_detector(), config::DetectConfig{});
    const gen::Endpoint client = host(10, 0, 0, 66, 40001), ftp = host(10, 0, 0, 10, 21);
    for (uint32_t i = 0; i < 12; ++i) login(h, client, ftp, false, "ftp", kT0 + i * kNsPerSec / 2);
    auto alerts = h.end_seconds(second_of(kT0), second_of(kT0) + 6);
    REQUIRE_FALSE(alerts.empty());
    CHECK(alerts.back().explanation.metric == "failed_logins");
    CHECK(alerts.back().explanation.value == 12);
    CHECK(evidence_text(alerts.back(), "protocol") == "ftp");
    CHECK(alerts.back().severity == Severity::kInfo);
    login(h, client, ftp, true, "ftp", kT0 + 7 * kNsPerSec);
    alerts = h.end_seconds(second_of(kT0) + 7, second_of(kT0) + 7);
    REQUIRE_FALSE(alerts.empty());
    CHECK(alerts.back().severity == Severity::kCritical);
    CHECK(alerts.back().explanation.text.find("accepted") != std::string::npos);
}

TEST_CASE("brute_force: an admin session, a few retries, web traffic and unanswered SYNs stay quiet",
          "[detect][brute_force]") {
    Harness h(brute_force_detector(), config::DetectConfig{});
    // One interactive SSH session: long and large.
    session(h, host(10, 0, 0, 5, 50000), kServer, 40000, kT0, 600 * kNsPerSec, 0);
    // Five quick SSH sessions (a script, a few typos).
    for (uint32_t i = 0; i < 5; ++i)
        session(h, host(10, 0, 0, 6, static_cast<uint16_t>(50000 + i)), kServer, 2000, kT0 + i * kNsPerSec, kNsPerSec, 1);
    // A browser: many short HTTPS sessions to one server (not a login port).
    for (uint32_t i = 0; i < 40; ++i)
        session(h, host(10, 0, 0, 7, static_cast<uint16_t>(50000 + i)), host(10, 0, 0, 10, 443), 1500,
                kT0 + i * kNsPerSec / 4, kNsPerSec / 2, i % 2);
    // A port sweep: SYNs to 22 that nobody answers are not sessions.
    for (uint32_t i = 0; i < 40; ++i)
        h.packet(i % 2, *ip_packet(host(10, 0, 0, 8, static_cast<uint16_t>(50000 + i)), kServer, 6, decode::kTcpSyn,
                                   kT0 + i * kNsPerMs));
    // Three refused logins (typos).
    const gen::Endpoint client = host(10, 0, 0, 9, 40001), pop = host(10, 0, 0, 10, 110);
    for (uint32_t i = 0; i < 3; ++i) login(h, client, pop, false, "pop3", kT0 + i * kNsPerSec);
    h.end_flows(kT0 + 700 * kNsPerSec);
    h.flush_flows();
    CHECK(h.end_seconds(second_of(kT0), second_of(kT0) + 700).empty());
}
