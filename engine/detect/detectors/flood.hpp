#pragma once
// Building blocks shared by the flood detectors (syn_flood, icmp_flood, udp_flood, ddos):
// per-victim tallies keyed by the victim -- so a flood from random sources fills one entry,
// not one per source -- plus per-(source, victim) counts that name the attacker when one
// source dominates, and the candidate those produce.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "detect/alert_sink.hpp"
#include "detect/detect_delta.hpp"
#include "detect/detect_keys.hpp"
#include "detect/detector.hpp"
#include "detect/hyperloglog.hpp"
#include "detect/shard_table.hpp"
#include "detect/window_table.hpp"

namespace nms::detect {

struct VictimTally {
    uint64_t pkts = 0;        // what the detector counts towards the victim (SYNs, echo requests, packets)
    uint64_t good = 0;        // the healthy counterpart (completed handshakes, replies)
    uint64_t bytes = 0;
    SmallHll sources;

    [[nodiscard]] uint64_t weight() const noexcept { return pkts; }
    void merge(const VictimTally& o) noexcept {
        pkts += o.pkts;
        good += o.good;
        bytes += o.bytes;
        sources.merge(o.sources);
    }
};

struct PairCount {
    uint64_t pkts = 0;
    [[nodiscard]] uint64_t weight() const noexcept { return pkts; }
    void merge(const PairCount& o) noexcept { pkts += o.pkts; }
};

using VictimWindow = WindowTable<HostKey, VictimTally>;
using PairWindow = WindowTable<PairKey, PairCount>;  // a = source, b = victim

struct FloodDelta final : DetectorDelta {
    std::vector<std::pair<HostKey, VictimTally>> victims;
    std::vector<std::pair<PairKey, PairCount>> pairs;
};

// Worker side: one second of per-victim tallies and per-(source, victim) counts.
class FloodTables {
 public:
    explicit FloodTables(uint32_t capacity) : victims_(capacity), pairs_(capacity) {}
    // `n` packets (`bytes`) from `src` to `victim`, and `replies` it sent back. No allocation.
    void count(const IpAddr& src, const IpAddr& victim, uint64_t n, uint64_t bytes, uint64_t replies = 0) noexcept {
        VictimTally& v = victims_.upsert(HostKey{victim});
        v.pkts += n;
        v.bytes += bytes;
        v.good += replies;
        v.sources.add_hash(ip_hash(src));
        pairs_.upsert(PairKey{src, victim}).pkts += n;
    }
    // The healthy counterpart towards `victim` (completed handshakes, replies).
    void good(const IpAddr& victim, uint64_t n) noexcept { victims_.upsert(HostKey{victim}).good += n; }
    // A flow's progress, both ways: each direction's receiver is a possible victim, and what
    // it sent back on the same flow counts as its replies. A direction the receiver answered
    // with at least a quarter as many packets is a conversation, not a flood, and is skipped
    // here already: most flows cost one compare.
    void count_flow(const flow::Flow& f, const FlowProgress& p) noexcept {
        // A connection the client opened with a SYN that never completed its handshake nor
        // carried data (a SYN flood, spoofed or reset by the sender's kernel) is one-way
        // traffic towards the server, whatever SYN-ACKs it drew: those are not replies to a
        // conversation, and not a flood towards the client either. (A flow picked up mid-way
        // has no SYN and is judged by its packets both ways, below.)
        if (f.key.proto == decode::kIpProtoTcp && !f.has_rtt && (f.tcp_flags[flow::kToServer] & decode::kTcpSyn) &&
            f.payload_bytes[flow::kToServer] == 0) {
            const unsigned d = flow::kToServer;
            if (p.pkts[d]) count(f.client_ip(), f.server_ip(), p.pkts[d], p.bytes[d], 0);
            return;
        }
        // An established TCP connection is paced by its receiver's window: however sparse its
        // ACKs (a receiver with GRO acknowledges dozens of segments at once), a bulk upload is
        // a conversation, not a flood. Floods over real connections are traffic spikes.
        if (f.key.proto == decode::kIpProtoTcp && f.has_rtt) return;
        for (unsigned d = 0; d < 2; ++d) {
            if (p.pkts[d] == 0 || p.pkts[1 - d] * 4 >= p.pkts[d]) continue;
            const IpAddr& sender = d == flow::kToServer ? f.client_ip() : f.server_ip();
            const IpAddr& receiver = d == flow::kToServer ? f.server_ip() : f.client_ip();
            count(sender, receiver, p.pkts[d], p.bytes[d], p.pkts[1 - d]);
        }
    }
    std::unique_ptr<DetectorDelta> drain();
    [[nodiscard]] uint64_t evicted() const noexcept { return victims_.evicted() + pairs_.evicted(); }

 private:
    ShardTable<HostKey, VictimTally> victims_;
    ShardTable<PairKey, PairCount> pairs_;
};

// Stats side: the same over a sliding window.
struct FloodWindows {
    FloodWindows(uint32_t capacity, uint32_t window_s) : victims(capacity, window_s), pairs(capacity, window_s) {}
    void set_window(uint32_t window_s) {
        victims.set_window(window_s);
        pairs.set_window(window_s);
    }
    void absorb(const DetectorDelta& part, int64_t second);
    VictimWindow victims;
    PairWindow pairs;
};

// The busiest sources (at most 10, busiest first) of each of `victims` in the pair window.
std::map<IpAddr, std::vector<Contributor>> top_sources(PairWindow& pairs, int64_t second,
                                                       const std::vector<IpAddr>& victims);

// What a flood detector measured for one victim.
struct FloodMeasure {
    IpAddr victim;
    VictimTally tally;
    double rate = 0;               // per second over the window
    double threshold = 0;
    double window_s = 0;
    const char* metric = "";       // "syn_per_s", ...
    const char* what = "";         // "SYNs", "ICMP echo requests", ...
};

// The candidate for one victim: names the top source when it sent at least `source_share`
// of the packets, else keys the episode by the victim (many or random sources).
AlertCandidate flood_candidate(const FloodMeasure& m, std::vector<Contributor> sources, double source_share,
                               TimestampNs now);

// A victim over a flood threshold, with its busiest sources (busiest first).
struct FloodHit {
    FloodMeasure measure;
    std::vector<Contributor> sources;
};

// No limit on the healthy share (a flood the victim answers is still a flood: ICMP echo).
inline constexpr double kAnyGoodRatio = 1e300;

// Victims whose count over the window reaches `min_rate` per second while their healthy
// share (good / counted) stays at most `max_good_ratio`.
std::vector<FloodHit> find_floods(FloodWindows& win, int64_t second, double min_rate, double max_good_ratio,
                                  const char* metric, const char* what);

// The worker half every flood detector shares: its tables, drained once a second.
class FloodShard : public ShardDetector {
 public:
    explicit FloodShard(const DetectorSetup& s) : tables_(s.config.max_keys) {}
    std::unique_ptr<DetectorDelta> collect() override { return tables_.drain(); }
    [[nodiscard]] uint64_t evictions() const noexcept override { return tables_.evicted(); }

 protected:
    FloodTables tables_;
};

// The stats half every flood detector shares: windows sized and reconfigured from its own
// `[detect.<kind>]` section (`Section`).
template <class Config, Config config::DetectConfig::*Section>
class FloodGlobal : public GlobalDetector {
 public:
    FloodGlobal(AlertKind kind, const DetectorSetup& s)
        : GlobalDetector(kind), win_(s.config.max_keys, (s.config.*Section).window_s) {}
    void configure(const config::DetectConfig& cfg) override {
        cfg_ = cfg.*Section;
        win_.set_window(cfg_.window_s);
    }
    [[nodiscard]] const config::DetectorCommon& common() const noexcept override { return cfg_; }
    void absorb(const DetectorDelta& part, int64_t second) override { win_.absorb(part, second); }

 protected:
    Config cfg_;
    FloodWindows win_;
};

}  // namespace nms::detect
