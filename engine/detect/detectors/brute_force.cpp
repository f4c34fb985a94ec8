// brute_force: password guessing against one service (MITRE T1110). Worker, per (client,
// server, server port): refused and accepted logins DPI saw (FTP 530, SMTP 535, POP3 -ERR,
// IMAP NO, MySQL 1045, HTTP 401) and, for the configured login ports, short sessions as they
// close -- handshake completed, first FIN/RST within max_session_s, the client sent at most
// max_session_bytes: what each guess of an SSH/RDP/VNC login loop looks like from outside.
// Stats: a sliding window per service; an alert at min_failures refused logins or
// min_short_sessions short sessions. A login accepted in the same window is named in the
// evidence and makes the alert critical (a guess may have worked).
#include <algorithm>
#include <bitset>
#include <cstdio>
#include <cstring>

#include "detect/detect_keys.hpp"
#include "detect/detectors/detectors.hpp"
#include "detect/table_delta.hpp"
#include "detect/windowed_global.hpp"

namespace nms::detect {
namespace {

struct ServiceKey {
    IpAddr client;
    IpAddr server;
    uint16_t port = 0;
    [[nodiscard]] uint64_t hash() const noexcept {
        return mix64(ip_hash(client) ^ (ip_hash(server) * 0x9e3779b97f4a7c15ULL) ^ port);
    }
    friend bool operator==(const ServiceKey&, const ServiceKey&) = default;
};

struct Tally {
    uint32_t failures = 0;        // refused logins seen by DPI
    uint32_t successes = 0;       // accepted logins seen by DPI
    uint32_t short_sessions = 0;
    uint32_t sessions_bytes = 0;  // client bytes of the short sessions (saturating)
    char protocol[8]{};           // the DPI name of the login protocol, when one reported

    [[nodiscard]] uint64_t weight() const noexcept { return uint64_t{failures} + short_sessions + successes; }
    void merge(const Tally& o) noexcept {
        failures += o.failures;
        successes += o.successes;
        short_sessions += o.short_sessions;
        sessions_bytes = o.sessions_bytes > UINT32_MAX - sessions_bytes ? UINT32_MAX : sessions_bytes + o.sessions_bytes;
        if (!protocol[0]) std::memcpy(protocol, o.protocol, sizeof protocol);
    }
};

class Shard final : public ShardDetector {
 public:
    explicit Shard(const DetectorSetup& s)
        : max_session_ns_(TimestampNs{s.config.brute_force.max_session_s} * kNsPerSec),
          max_session_bytes_(s.config.brute_force.max_session_bytes),
          table_(s.config.max_keys) {
        for (uint16_t p : s.config.brute_force.session_ports) session_ports_.set(p);
    }

    [[nodiscard]] uint8_t hooks() const noexcept override { return kPackets | kSecurityFacts; }

    void on_security_fact(const dpi::SecurityFact& fact, const decode::PacketView*,
                          const flow::Flow& f) noexcept override {
        const bool failure = fact.kind == dpi::SecurityFactKind::kLoginFailure;
        if (!failure && fact.kind != dpi::SecurityFactKind::kLoginSuccess) return;
        Tally& t = table_.upsert(ServiceKey{f.client_ip(), f.server_ip(), f.server_port()});
        if (failure) ++t.failures;
        else ++t.successes;
        if (!t.protocol[0]) {
            const size_t n = std::min(fact.name.size(), sizeof t.protocol - 1);
            std::memcpy(t.protocol, fact.name.data(), n);
        }
    }

    // Judged at the first FIN or RST, not when the flow record ends: the end comes after the
    // closed-state linger, and at the end of a capture it would come too late to be counted.
    void on_packet(const decode::PacketView& pkt, const flow::Flow* cf) noexcept override {
        if (!cf || !(pkt.tcp_flags & (decode::kTcpFin | decode::kTcpRst)) || pkt.ip_proto != decode::kIpProtoTcp) return;
        if ((cf->detect_bits & kMarkSessionJudged) || !session_ports_.test(cf->server_port())) return;
        const_cast<flow::Flow*>(cf)->detect_bits |= kMarkSessionJudged;
        const flow::Flow& f = *cf;
        // A session, not a probe: the server accepted it and the client completed the handshake.
        const uint8_t syn_ack = decode::kTcpSyn | decode::kTcpAck;
        if ((f.tcp_flags[flow::kToClient] & syn_ack) != syn_ack || !(f.tcp_flags[flow::kToServer] & decode::kTcpAck))
            return;
        if (f.last_ns - f.first_ns > max_session_ns_ || f.bytes[flow::kToServer] > max_session_bytes_) return;
        Tally& t = table_.upsert(ServiceKey{f.client_ip(), f.server_ip(), f.server_port()});
        ++t.short_sessions;
        const uint64_t b = uint64_t{t.sessions_bytes} + f.bytes[flow::kToServer];
        t.sessions_bytes = static_cast<uint32_t>(std::min<uint64_t>(b, UINT32_MAX));
    }

    std::unique_ptr<DetectorDelta> collect() override { return drain_table(table_); }
    [[nodiscard]] uint64_t evictions() const noexcept override { return table_.evicted(); }

 private:
    TimestampNs max_session_ns_;
    uint64_t max_session_bytes_;
    std::bitset<65536> session_ports_;
    ShardTable<ServiceKey, Tally> table_;
};

class Global final
    : public WindowedGlobal<ServiceKey, Tally, config::BruteForceConfig, &config::DetectConfig::brute_force> {
 public:
    explicit Global(const DetectorSetup& s) : WindowedGlobal(AlertKind::kBruteForce, s) {}

    void evaluate(const DetectView& view, TimestampNs now, AlertSink& sink) override {
        window_.for_each(view.second, [&](const ServiceKey& k, const Tally& t) {
            const bool by_failures = t.failures >= cfg_.min_failures;
            if (!by_failures && t.short_sessions < cfg_.min_short_sessions) return;
            raise(k, t, by_failures, now, sink);
        });
    }

 private:
    void raise(const ServiceKey& k, const Tally& t, bool by_failures, TimestampNs now, AlertSink& sink) const {
        AlertCandidate c;
        c.ts = now;
        c.has_src = true;
        c.src = k.client;
        c.has_victim = true;
        c.victim = k.server;
        c.victim_count = 1;
        c.top_peers.push_back({k.server, by_failures ? t.failures : t.short_sessions});
        if (t.successes && t.failures) c.severity = Severity::kCritical;  // a guess may have worked
        const std::string proto = t.protocol[0] ? std::string(t.protocol) : std::to_string(k.port);
        auto& e = c.explanation;
        e.window_s = static_cast<double>(window_.window_s());
        char text[320];
        if (by_failures) {
            e.metric = "failed_logins";
            e.value = t.failures;
            e.threshold = cfg_.min_failures;
            std::snprintf(text, sizeof text, "%s had %u %s logins refused by %s:%u in %llds (threshold %u)%s",
                          k.client.to_string().c_str(), t.failures, proto.c_str(), k.server.to_string().c_str(), k.port,
                          static_cast<long long>(window_.window_s()), cfg_.min_failures,
                          t.successes ? "; then a login was accepted" : "");
        } else {
            e.metric = "short_sessions";
            e.value = t.short_sessions;
            e.threshold = cfg_.min_short_sessions;
            std::snprintf(text, sizeof text,
                          "%s opened %u short sessions (< %us, < %u bytes sent) to %s:%u in %llds (threshold %u)",
                          k.client.to_string().c_str(), t.short_sessions, cfg_.max_session_s, cfg_.max_session_bytes,
                          k.server.to_string().c_str(), k.port, static_cast<long long>(window_.window_s()),
                          cfg_.min_short_sessions);
        }
        e.text = text;
        c.evidence.push_back({"service_port", static_cast<double>(k.port)});
        if (t.protocol[0]) c.evidence.push_back({"protocol", std::string(t.protocol)});
        c.evidence.push_back({"failed_logins", static_cast<double>(t.failures)});
        c.evidence.push_back({"accepted_logins", static_cast<double>(t.successes)});
        c.evidence.push_back({"short_sessions", static_cast<double>(t.short_sessions)});
        if (t.short_sessions)
            c.evidence.push_back({"mean_session_bytes", static_cast<double>(t.sessions_bytes) / t.short_sessions});
        sink.raise(std::move(c));
    }
};

}  // namespace

DetectorFactory brute_force_detector() { return {AlertKind::kBruteForce, &make_shard<Shard>, &make_global<Global>}; }

}  // namespace nms::detect
