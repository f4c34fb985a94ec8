#include "gen/traffic_generator.hpp"

#include <algorithm>
#include <cstring>

#include "gen/tcp_script.hpp"

namespace nms::gen {

size_t TrafficGenerator::KeyHash::operator()(const std::array<uint8_t, 37>& k) const noexcept {
    uint64_t h = 1469598103934665603ULL;
    for (uint8_t b : k) h = (h ^ b) * 1099511628211ULL;
    return static_cast<size_t>(h);
}

TrafficGenerator::TrafficGenerator(const GenOptions& options)
    : o_(options), pick_rng_(options.seed ^ 0x5eed5eed5eedULL), planner_(options, options.seed) {
    if (o_.flows == 0) o_.flows = 1;
    if (o_.rate <= 0) o_.rate = 1;
    Rng pool(o_.seed ^ 0x9001);
    random_pool_.resize(kPoolSize + kPoolSlack);
    pool.fill(random_pool_.data(), random_pool_.size());
    static constexpr char kWords[] =
        "<p>The quick brown fox jumps over the lazy dog; network monitoring keeps an eye on every flow.</p>\n";
    text_pool_.resize(kPoolSize + kPoolSlack);
    for (size_t i = 0; i < text_pool_.size(); ++i) text_pool_[i] = static_cast<uint8_t>(kWords[i % (sizeof kWords - 1)]);
    sessions_.resize(o_.flows);
    for (auto& s : sessions_) plan(s);
    // Scheduled anomalies are spread over the capture: the i-th of n starts at (i+1)/(n+2).
    const uint64_t total = o_.packets ? o_.packets : 0;
    for (size_t i = 0; i < o_.anomalies.size(); ++i)
        anomaly_starts_.push_back(total * (i + 1) / (o_.anomalies.size() + 2));
}

void TrafficGenerator::plan(Session& s) {
    do planner_.plan(s);
    while (s.done());  // a plan can only come out empty if OpenSSL failed (QUIC keys)
}

void TrafficGenerator::inject(const AnomalySpec& spec) {
    auto s = std::make_unique<Session>();
    planner_.plan_anomaly(*s, spec);
    stats_.anomalies[static_cast<int>(spec.kind)]++;
    if (!s->done()) anomalies_.push_back(std::move(s));
}

Session& TrafficGenerator::pick() {
    if (!anomalies_.empty() && pick_rng_.chance(o_.anomaly_share))
        return *anomalies_[pick_rng_.below(static_cast<uint32_t>(anomalies_.size()))];
    return sessions_[pick_rng_.below(static_cast<uint32_t>(sessions_.size()))];
}

void TrafficGenerator::retire(Session& s) {
    if (!s.anomaly) {
        plan(s);
        return;
    }
    for (auto it = anomalies_.begin(); it != anomalies_.end(); ++it) {
        if (it->get() == &s) {
            anomalies_.erase(it);
            return;
        }
    }
}

bool TrafficGenerator::next(Frame& out) {
    const auto ts = o_.start_ns + static_cast<uint64_t>(static_cast<double>(stats_.packets) * 1e9 / o_.rate);
    return next_at(ts, out);
}

const uint8_t* TrafficGenerator::payload(const Session& s, const Step& st) {
    switch (st.kind) {
        case PayloadKind::kNone: return nullptr;
        case PayloadKind::kArena: return s.arena.data() + st.off;
        case PayloadKind::kRandom: return random_pool_.data() + st.off;
        case PayloadKind::kText: return text_pool_.data() + st.off;
        case PayloadKind::kTlsAppData:
            payload_[0] = 23;
            payload_[1] = 3;
            payload_[2] = 3;
            payload_[3] = static_cast<uint8_t>((st.len - 5) >> 8);
            payload_[4] = static_cast<uint8_t>(st.len - 5);
            std::memcpy(payload_ + 5, random_pool_.data() + st.off, st.len - 5u);
            return payload_;
        case PayloadKind::kQuicShort:
            payload_[0] = static_cast<uint8_t>(0x40 | (random_pool_[st.off] & 0x3f));
            std::memcpy(payload_ + 1, s.arena.data() + st.off, 8);
            std::memcpy(payload_ + 9, random_pool_.data() + (st.off % 4096), st.len - 9u);
            return payload_;
    }
    return nullptr;
}

void TrafficGenerator::count_flow(const Step& st) {
    // Canonical (lower address+port first) like the engine's FlowKey, so both directions match.
    std::array<uint8_t, 37> k{};
    const size_t alen = st.src.v6 ? 16 : 4;
    const bool icmp = st.proto == 1 || st.proto == 58;
    const uint16_t sp = icmp ? 0 : st.src.port, dp = icmp ? 0 : st.dst.port;
    int c = std::memcmp(st.src.ip, st.dst.ip, alen);
    if (c == 0) c = sp < dp ? -1 : (sp > dp ? 1 : 0);
    const Endpoint& lo = c <= 0 ? st.src : st.dst;
    const Endpoint& hi = c <= 0 ? st.dst : st.src;
    std::memcpy(k.data(), lo.ip, alen);
    std::memcpy(k.data() + 16, hi.ip, alen);
    const uint16_t plo = c <= 0 ? sp : dp, phi = c <= 0 ? dp : sp;
    k[32] = static_cast<uint8_t>(plo >> 8);
    k[33] = static_cast<uint8_t>(plo);
    k[34] = static_cast<uint8_t>(phi >> 8);
    k[35] = static_cast<uint8_t>(phi);
    k[36] = st.proto;
    if (keys_.insert(k).second) stats_.flows++;
}

bool TrafficGenerator::next_at(TimestampNs ts, Frame& out) {
    if (o_.packets && stats_.packets >= o_.packets) return false;
    while (next_anomaly_ < anomaly_starts_.size() && stats_.packets >= anomaly_starts_[next_anomaly_])
        inject(o_.anomalies[next_anomaly_++]);

    Session& s = pick();
    const Step& st = s.steps[s.next];
    if (s.next == 0 && !s.anomaly) stats_.sessions[s.kind]++;
    size_t len;
    if (st.proto == 0) {
        len = build_raw_frame(frame_, st.dst.mac, st.src.mac, kEtherArp, s.arena.data() + st.off, st.len);
    } else {
        L4Fields l4;
        l4.proto = st.proto == 1 && st.src.v6 ? 58 : st.proto;
        l4.tcp_flags = l4.proto == 58 ? static_cast<uint8_t>(st.flags == 8 ? 128 : 129) : st.flags;
        l4.seq = st.seq;
        l4.ack = st.ack;
        l4.syn_options = st.syn_options;
        l4.ttl = st.ttl;
        l4.ip_id = ip_id_++;
        l4.window = st.flags & 0x02 ? 64240 : 502;
        len = build_ip_frame(frame_, st.src, st.dst, l4, payload(s, st), st.len);
        if (st.first) count_flow(st);
    }
    out.data = frame_;
    out.len = static_cast<uint32_t>(len);
    out.ts_ns = ts;
    stats_.packets++;
    stats_.bytes += len;
    if (++s.next >= s.steps.size()) retire(s);
    return true;
}

}  // namespace nms::gen
