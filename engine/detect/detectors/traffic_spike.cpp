// traffic_spike: a host's traffic (in + out), or all traffic, far above its own baseline.
// Worker: bytes per host and in total, charged from the flows' own counters once a second.
// Stats: the rate over window_s is compared with an EWMA baseline of that rate (mean and
// variance, half-life half_life_s): z = (rate - mean) / sd. Once an hour-of-week slot has
// warmup_s samples of its own, that slot's baseline is used instead, so a nightly backup or
// the Monday-morning rush is judged against the same hour of other weeks. Bounded:
// max_hosts baselines, least recently active evicted; hour-of-week tables only for hosts
// that have a warm baseline. save_state()/load_state() let the store keep baselines.
#include <cmath>
#include <cstdio>
#include <sstream>
#include <unordered_map>

#include "detect/detect_keys.hpp"
#include "detect/detectors/detectors.hpp"
#include "detect/table_delta.hpp"

namespace nms::detect {
namespace {

constexpr int kHoursPerWeek = 168;

struct HostBytes {
    uint64_t bytes = 0;
    [[nodiscard]] uint64_t weight() const noexcept { return bytes; }
    void merge(const HostBytes& o) noexcept { bytes += o.bytes; }
};

struct SpikeDelta final : DetectorDelta {
    std::vector<std::pair<HostKey, HostBytes>> hosts;
    uint64_t total = 0;
};

// Exponentially weighted mean and variance (Finch 2009 incremental form). The first samples
// weigh 1/n (a plain average), so a young baseline is not stuck near its first values.
struct Ewma {
    double mean = 0;
    double var = 0;
    uint32_t n = 0;
    void add(double x, double slow_alpha) noexcept {
        const double alpha = std::max(slow_alpha, 1.0 / (static_cast<double>(n) + 1.0));
        if (n == 0) {
            mean = x;
            var = 0;
        } else {
            const double diff = x - mean;
            const double incr = alpha * diff;
            mean += incr;
            var = (1 - alpha) * (var + diff * incr);
        }
        if (n < UINT32_MAX) ++n;
    }
};

struct Baseline {
    Ewma all;
    std::unique_ptr<std::array<Ewma, kHoursPerWeek>> hours;  // once `all` is warm
    int64_t first_second = INT64_MIN;  // first second with data: the window fills up from here
    int64_t last_second = 0;
};

// Monday 00:00 UTC = slot 0 (1970-01-01 was a Thursday).
int hour_of_week(int64_t second) noexcept {
    const int64_t hours = second >= 0 ? second / 3600 : 0;
    return static_cast<int>((hours + 72) % kHoursPerWeek);
}

class Shard final : public ShardDetector {
 public:
    explicit Shard(const DetectorSetup& s) : hosts_(s.config.max_keys) {}
    void on_flow_progress(const flow::Flow& f, const FlowProgress& p) noexcept override {
        const uint64_t b = p.bytes[0] + p.bytes[1];
        if (b == 0) return;
        hosts_.upsert(HostKey{f.client_ip()}).bytes += b;
        hosts_.upsert(HostKey{f.server_ip()}).bytes += b;
        total_ += b;
    }
    std::unique_ptr<DetectorDelta> collect() override {
        if (total_ == 0) return nullptr;
        auto d = std::make_unique<SpikeDelta>();
        d->total = total_;
        d->hosts.reserve(hosts_.size());
        hosts_.for_each([&](const HostKey& k, const HostBytes& v) { d->hosts.emplace_back(k, v); });
        hosts_.clear();
        total_ = 0;
        return d;
    }
    [[nodiscard]] uint64_t evictions() const noexcept override { return hosts_.evicted(); }

 private:
    ShardTable<HostKey, HostBytes> hosts_;
    uint64_t total_ = 0;
};

class Global final : public GlobalDetector {
 public:
    explicit Global(const DetectorSetup& s)
        : GlobalDetector(AlertKind::kTrafficSpike),
          hosts_(s.config.max_keys, s.config.traffic_spike.window_s),
          total_(8, s.config.traffic_spike.window_s) {}

    void configure(const config::DetectConfig& cfg) override {
        cfg_ = cfg.traffic_spike;
        hosts_.set_window(cfg_.window_s);
        total_.set_window(cfg_.window_s);
        alpha_ = 1.0 - std::pow(2.0, -1.0 / static_cast<double>(std::max<uint32_t>(cfg_.half_life_s, 1)));
    }
    [[nodiscard]] const config::DetectorCommon& common() const noexcept override { return cfg_; }
    void absorb(const DetectorDelta& part, int64_t second) override {
        const auto* d = dynamic_cast<const SpikeDelta*>(&part);
        if (!d) return;
        for (const auto& [k, v] : d->hosts) hosts_.add(k, second, v);
        total_.add(HostKey{}, second, HostBytes{d->total});
    }

    void evaluate(const DetectView& view, TimestampNs now, AlertSink& sink) override {
        const double window = static_cast<double>(hosts_.window_s());
        const int slot = hour_of_week(view.second);
        total_.for_each(view.second, [&](const HostKey&, const HostBytes& b) {
            const double bps = 8.0 * static_cast<double>(b.bytes) / window;
            judge(global_, bps, cfg_.min_global_mbps * 1e6, slot, view.second, nullptr, now, sink);
        });
        hosts_.for_each(view.second, [&](const HostKey& k, const HostBytes& b) {
            const double bps = 8.0 * static_cast<double>(b.bytes) / window;
            judge(baseline_of(k.ip, view.second), bps, cfg_.min_host_mbps * 1e6, slot, view.second, &k.ip, now, sink);
        });
    }

    [[nodiscard]] std::string save_state() const override {
        std::ostringstream out;
        out.precision(17);
        out << "netmonsec-traffic-spike 1\n";
        const auto put = [&](const char* who, const Baseline& b) {
            out << "b " << who << ' ' << b.all.mean << ' ' << b.all.var << ' ' << b.all.n << '\n';
            if (b.hours)
                for (int h = 0; h < kHoursPerWeek; ++h) {
                    const Ewma& e = (*b.hours)[static_cast<size_t>(h)];
                    if (e.n) out << "w " << who << ' ' << h << ' ' << e.mean << ' ' << e.var << ' ' << e.n << '\n';
                }
        };
        put("*", global_);
        for (const auto& [ip, b] : baselines_) put(ip.to_string().c_str(), b);
        return out.str();
    }

    bool load_state(std::string_view text) override {
        std::istringstream in{std::string(text)};
        std::string line;
        if (!std::getline(in, line) || line != "netmonsec-traffic-spike 1") return false;
        while (std::getline(in, line)) {
            std::istringstream ls(line);
            std::string tag, who;
            ls >> tag >> who;
            Baseline* b = &global_;
            if (who != "*") {
                const auto ip = IpAddr::parse(who);
                if (!ip) continue;
                if (baselines_.size() >= cfg_.max_hosts && !baselines_.count(*ip)) continue;
                b = &baselines_[*ip];
            }
            Ewma e;
            int hour = 0;
            if (tag == "w") ls >> hour;
            ls >> e.mean >> e.var >> e.n;
            if (!ls || !std::isfinite(e.mean) || !std::isfinite(e.var) || hour < 0 || hour >= kHoursPerWeek) continue;
            if (tag == "b") {
                b->all = e;
            } else if (tag == "w") {
                if (!b->hours) b->hours = std::make_unique<std::array<Ewma, kHoursPerWeek>>();
                (*b->hours)[static_cast<size_t>(hour)] = e;
            }
        }
        return true;
    }

 private:
    struct IpHasher {
        size_t operator()(const IpAddr& ip) const noexcept { return static_cast<size_t>(ip_hash(ip)); }
    };

    Baseline& baseline_of(const IpAddr& ip, int64_t second) {
        auto it = baselines_.find(ip);
        if (it == baselines_.end()) {
            if (baselines_.size() >= std::max<uint32_t>(cfg_.max_hosts, 1)) evict();
            it = baselines_.emplace(ip, Baseline{}).first;
        }
        it->second.last_second = second;
        return it->second;
    }

    // The least recently active eighth goes (one O(n) pass per n/8 new hosts).
    void evict() {
        std::vector<int64_t> ages;
        ages.reserve(baselines_.size());
        for (const auto& [ip, b] : baselines_) ages.push_back(b.last_second);
        const size_t n = std::max<size_t>(1, ages.size() / 8);
        std::nth_element(ages.begin(), ages.begin() + static_cast<std::ptrdiff_t>(n - 1), ages.end());
        const int64_t cutoff = ages[n - 1];
        std::erase_if(baselines_, [cutoff](const auto& kv) { return kv.second.last_second <= cutoff; });
    }

    void judge(Baseline& b, double bps, double floor_bps, int slot, int64_t second, const IpAddr* host, TimestampNs now,
               AlertSink& sink) {
        b.last_second = second;
        if (b.first_second == INT64_MIN) b.first_second = second;
        // Until the window holds a full window of history its rate is only a part of it.
        if (second - b.first_second < hosts_.window_s()) return;
        const Ewma* base = &b.all;
        bool by_hour = false;
        if (b.hours && (*b.hours)[static_cast<size_t>(slot)].n >= cfg_.warmup_s) {
            base = &(*b.hours)[static_cast<size_t>(slot)];
            by_hour = true;
        }
        if (b.all.n >= cfg_.warmup_s && bps >= floor_bps) {
            // A flat history would make any change infinitely significant: the spread is at
            // least a tenth of the mean (and 10 kbit/s).
            const double sd = std::max({std::sqrt(std::max(base->var, 0.0)), 0.1 * base->mean, 1e4});
            const double z = (bps - base->mean) / sd;
            if (z >= cfg_.zscore) raise(bps, *base, z, by_hour, host, now, sink);
        }
        b.all.add(bps, alpha_);
        if (!b.hours && b.all.n >= cfg_.warmup_s) b.hours = std::make_unique<std::array<Ewma, kHoursPerWeek>>();
        if (b.hours) (*b.hours)[static_cast<size_t>(slot)].add(bps, alpha_);
    }

    void raise(double bps, const Ewma& base, double z, bool by_hour, const IpAddr* host, TimestampNs now,
               AlertSink& sink) {
        AlertCandidate c;
        c.ts = now;
        if (host) {
            c.has_src = true;
            c.src = *host;
        }
        auto& e = c.explanation;
        e.metric = host ? "host_bps" : "total_bps";
        e.value = bps;
        e.threshold = (host ? cfg_.min_host_mbps : cfg_.min_global_mbps) * 1e6;
        e.window_s = static_cast<double>(hosts_.window_s());
        e.baseline = base.mean;
        e.zscore = z;
        char text[256];
        std::snprintf(text, sizeof text, "%s at %.1f Mbit/s over %llds, %.1f standard deviations above its %s baseline of %.1f Mbit/s",
                      host ? host->to_string().c_str() : "all traffic", bps / 1e6,
                      static_cast<long long>(hosts_.window_s()), z, by_hour ? "hour-of-week" : "EWMA", base.mean / 1e6);
        e.text = text;
        c.evidence.push_back({"baseline_kind", std::string(by_hour ? "hour_of_week" : "ewma")});
        c.evidence.push_back({"baseline_sd_bps", std::sqrt(std::max(base.var, 0.0))});
        c.evidence.push_back({"baseline_samples", static_cast<double>(base.n)});
        sink.raise(std::move(c));
    }

    config::TrafficSpikeConfig cfg_;
    WindowTable<HostKey, HostBytes> hosts_;
    WindowTable<HostKey, HostBytes> total_;   // one key: everything
    double alpha_ = 0.0;
    Baseline global_;
    std::unordered_map<IpAddr, Baseline, IpHasher> baselines_;
};

}  // namespace

DetectorFactory traffic_spike_detector() {
    return {AlertKind::kTrafficSpike, &make_shard<Shard>, &make_global<Global>};
}

}  // namespace nms::detect
