#include "detect/detectors/flood.hpp"

#include <algorithm>
#include <cstdio>

namespace nms::detect {

std::unique_ptr<DetectorDelta> FloodTables::drain() {
    if (victims_.empty()) {
        pairs_.clear();
        return nullptr;
    }
    auto d = std::make_unique<FloodDelta>();
    d->victims.reserve(victims_.size());
    d->pairs.reserve(pairs_.size());
    victims_.for_each([&](const HostKey& k, const VictimTally& v) { d->victims.emplace_back(k, v); });
    pairs_.for_each([&](const PairKey& k, const PairCount& v) { d->pairs.emplace_back(k, v); });
    victims_.clear();
    pairs_.clear();
    return d;
}

void FloodWindows::absorb(const DetectorDelta& part, int64_t second) {
    const auto* d = dynamic_cast<const FloodDelta*>(&part);
    if (!d) return;
    for (const auto& [k, v] : d->victims) victims.add(k, second, v);
    for (const auto& [k, v] : d->pairs) pairs.add(k, second, v);
}

std::map<IpAddr, std::vector<Contributor>> top_sources(PairWindow& pairs, int64_t second,
                                                       const std::vector<IpAddr>& victims) {
    std::map<IpAddr, std::vector<Contributor>> out;
    for (const IpAddr& v : victims) out[v];
    if (victims.empty()) return out;
    pairs.for_each(second, [&](const PairKey& k, const PairCount& c) {
        auto it = out.find(k.b);
        if (it != out.end()) it->second.push_back({k.a, c.pkts});
    });
    for (auto& [v, list] : out) {
        std::sort(list.begin(), list.end(), [](const Contributor& a, const Contributor& b) { return a.count > b.count; });
        if (list.size() > 10) list.resize(10);
    }
    return out;
}

std::vector<FloodHit> find_floods(FloodWindows& win, int64_t second, double min_rate, double max_good_ratio,
                                  const char* metric, const char* what) {
    const auto window = static_cast<double>(win.victims.window_s());
    std::vector<FloodHit> hits;
    std::vector<IpAddr> ips;
    win.victims.for_each(second, [&](const HostKey& k, const VictimTally& t) {
        const double rate = static_cast<double>(t.pkts) / window;
        const double good = t.pkts ? static_cast<double>(t.good) / static_cast<double>(t.pkts) : 1.0;
        if (rate < min_rate || good > max_good_ratio) return;
        hits.push_back({{k.ip, t, rate, min_rate, window, metric, what}, {}});
        ips.push_back(k.ip);
    }, static_cast<uint64_t>(min_rate * window));  // packets the rate needs
    if (hits.empty()) return hits;
    auto sources = top_sources(win.pairs, second, ips);
    for (auto& h : hits) h.sources = std::move(sources[h.measure.victim]);
    return hits;
}

AlertCandidate flood_candidate(const FloodMeasure& m, std::vector<Contributor> sources, double source_share,
                               TimestampNs now) {
    AlertCandidate c;
    c.ts = now;
    c.has_victim = true;
    c.victim = m.victim;
    c.victim_count = 1;
    const uint64_t distinct = m.tally.sources.count();
    const double share = !sources.empty() && m.tally.pkts
                             ? static_cast<double>(sources.front().count) / static_cast<double>(m.tally.pkts)
                             : 0.0;
    if (!sources.empty() && share >= source_share) {
        c.has_src = true;
        c.src = sources.front().ip;
    } else {
        c.key_by_victim = true;  // many or random sources: one episode per victim
    }
    auto& e = c.explanation;
    e.metric = m.metric;
    e.value = m.rate;
    e.threshold = m.threshold;
    e.window_s = m.window_s;
    char text[320];
    if (c.has_src) {
        std::snprintf(text, sizeof text, "%.0f %s/s to %s over %.0fs (threshold %.0f), %.0f%% from %s",
                      m.rate, m.what, m.victim.to_string().c_str(), m.window_s, m.threshold, 100 * share,
                      c.src.to_string().c_str());
    } else {
        std::snprintf(text, sizeof text, "%.0f %s/s to %s over %.0fs (threshold %.0f) from ~%llu sources",
                      m.rate, m.what, m.victim.to_string().c_str(), m.window_s, m.threshold,
                      static_cast<unsigned long long>(distinct));
    }
    e.text = text;
    c.evidence.push_back({"packets", static_cast<double>(m.tally.pkts)});
    c.evidence.push_back({"distinct_sources", static_cast<double>(distinct)});
    c.evidence.push_back({"top_source_share", share});
    c.top_peers = std::move(sources);
    return c;
}

}  // namespace nms::detect
