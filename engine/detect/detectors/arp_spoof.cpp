// arp_spoof: IP<->MAC binding conflicts (MITRE T1557.002). Every ARP request or reply claims
// "sender IP is at sender MAC". Worker: the claims of the second per (IP, MAC) pair. ARP
// frames hash to workers by MAC pair, so one IP's claims land on several workers: the
// binding table lives on the stats thread, which sees them all.
//
// Stats: each IP has an owner (the MAC that has been claiming it). A claim by another MAC
// while the owner claimed the IP within owner_alive_s is a conflict, charged to the claiming
// MAC; after that long a silence the IP simply changes hands (a DHCP lease reused). The owner
// re-asserting while a challenger is active is a flap (two live claimants). When the first
// "owner" seen holds several IPs and a claimant holds none, the capture began mid-attack:
// the roles are swapped (a host answers for its own address only). An alert names
// the claiming MAC once it made min_claims conflicting claims in the window; claiming the IPs
// of two or more live owners -- both ends of a man-in-the-middle -- makes it critical.
#include <algorithm>
#include <array>
#include <cstdio>
#include <unordered_map>
#include <vector>

#include "detect/detect_keys.hpp"
#include "detect/detectors/detectors.hpp"
#include "detect/table_delta.hpp"
#include "detect/windowed_global.hpp"
#include "devices/mac.hpp"

namespace nms::detect {
namespace {

using devices::Mac;

struct ClaimKey {
    IpAddr ip;
    Mac mac{};
    [[nodiscard]] uint64_t hash() const noexcept { return mix64(ip_hash(ip) ^ MacKey{mac}.hash()); }
    friend bool operator==(const ClaimKey&, const ClaimKey&) = default;
};

// One (IP, MAC) pair's claims during one second on one worker.
struct Claims {
    uint32_t claims = 0;
    uint32_t gratuitous = 0;      // announcements (sender IP = target IP), not answers to a question
    TimestampNs first_ns = 0, last_ns = 0;
    [[nodiscard]] uint64_t weight() const noexcept { return claims; }
};

// What one claiming MAC did against live owners, per window slice.
struct Conflicts {
    static constexpr size_t kMaxIps = 8;
    uint32_t claims = 0;
    uint32_t gratuitous = 0;
    uint32_t owner_reclaims = 0;  // owners answering back while it was active (a flapping binding)
    uint8_t n = 0;
    std::array<IpAddr, kMaxIps> ips{};  // contested IPs
    std::array<Mac, kMaxIps> owners{};
    std::array<uint32_t, kMaxIps> per_ip{};

    [[nodiscard]] uint64_t weight() const noexcept { return claims; }  // WindowTable's cheap bound

    void add_ip(const IpAddr& ip, const Mac& owner, uint32_t claims_on_ip) noexcept {
        for (uint8_t i = 0; i < n; ++i)
            if (ips[i] == ip) {
                per_ip[i] += claims_on_ip;
                return;
            }
        if (n >= kMaxIps) return;
        ips[n] = ip;
        owners[n] = owner;
        per_ip[n++] = claims_on_ip;
    }
    void merge(const Conflicts& o) noexcept {
        claims += o.claims;
        gratuitous += o.gratuitous;
        owner_reclaims += o.owner_reclaims;
        for (uint8_t i = 0; i < o.n; ++i) add_ip(o.ips[i], o.owners[i], o.per_ip[i]);
    }
};

bool usable_sender(const decode::ArpInfo& a) noexcept {
    const Mac m = devices::mac_from(a.sender_mac);
    return a.sender_ip.is_v4() && a.sender_ip.v4() != 0 && !devices::mac_is_zero(m) && !devices::mac_is_multicast(m);
}

class Shard final : public ShardDetector {
 public:
    explicit Shard(const DetectorSetup& s) : table_(s.config.max_keys) {}
    [[nodiscard]] uint8_t hooks() const noexcept override { return kPackets; }

    void on_packet(const decode::PacketView& pkt, const flow::Flow* flow) noexcept override {
        if (flow || pkt.l3 != decode::L3::kArp || (pkt.arp.op != 1 && pkt.arp.op != 2)) return;
        const decode::ArpInfo& a = pkt.arp;
        if (!usable_sender(a)) return;
        Claims& c = table_.upsert(ClaimKey{a.sender_ip, devices::mac_from(a.sender_mac)});
        if (c.claims == 0) c.first_ns = pkt.ts_ns;
        ++c.claims;
        c.gratuitous += a.sender_ip == a.target_ip;
        c.last_ns = std::max(c.last_ns, pkt.ts_ns);
    }
    std::unique_ptr<DetectorDelta> collect() override { return drain_table(table_); }
    [[nodiscard]] uint64_t evictions() const noexcept override { return table_.evicted(); }

 private:
    ShardTable<ClaimKey, Claims> table_;
};

struct IpHasher {
    size_t operator()(const IpAddr& ip) const noexcept { return static_cast<size_t>(ip_hash(ip)); }
};

class Global final
    : public WindowedGlobal<MacKey, Conflicts, config::ArpSpoofConfig, &config::DetectConfig::arp_spoof> {
 public:
    explicit Global(const DetectorSetup& s) : WindowedGlobal(AlertKind::kArpSpoof, s) {}

    // Claims wait for the evaluation of their second, when every worker's part is in: then
    // they are replayed oldest first, so "who held the IP first" does not depend on which
    // worker reported first.
    void absorb(const DetectorDelta& part, int64_t second) override {
        const auto* d = dynamic_cast<const TableDelta<ClaimKey, Claims>*>(&part);
        if (!d) return;
        for (const auto& [k, c] : d->entries) pending_.push_back({k, c, second});
    }

    void evaluate(const DetectView& view, TimestampNs now, AlertSink& sink) override {
        std::stable_sort(pending_.begin(), pending_.end(),
                         [](const Pending& a, const Pending& b) { return a.claims.first_ns < b.claims.first_ns; });
        for (const Pending& p : pending_) observe(p.key, p.claims, p.second);
        pending_.clear();
        window_.for_each(view.second, [&](const MacKey& k, const Conflicts& c) {
            if (c.claims < cfg_.min_claims || c.n == 0) return;
            raise(k.mac, c, now, sink);
        });
    }

 private:
    struct Binding {
        Mac owner{};
        TimestampNs owner_last = 0;
        Mac challenger{};
        TimestampNs challenger_last = 0;   // 0 = none
        uint32_t owner_claims = 0;         // claims the owner made since it became the owner
    };

    void observe(const ClaimKey& k, const Claims& c, int64_t second) {
        const TimestampNs alive = TimestampNs{cfg_.owner_alive_s} * kNsPerSec;
        auto it = bindings_.find(k.ip);
        if (it == bindings_.end()) {
            if (bindings_.size() >= std::max<uint32_t>(cfg_.max_bindings, 64)) evict_oldest();
            bindings_.emplace(k.ip, Binding{k.mac, c.last_ns, {}, 0, c.claims});
            ++owned_[MacKey{k.mac}];
            return;
        }
        Binding& b = it->second;
        // Seen poisoning before the real owner spoke (the capture began mid-attack): the first
        // "owner" holds several IPs, the claimant none but this one. A host answers for its
        // own address; an impostor answers for others' too -- so the roles are swapped.
        if (b.owner != k.mac && owned(b.owner) >= 2 && owned(k.mac) == 0) {
            const Mac impostor = b.owner;
            // The impostor keeps this IP in its count: it still claims it (and stays "multi-IP"
            // for the next owner that speaks up).
            ++owned_[MacKey{k.mac}];
            const uint32_t false_claims = std::max<uint32_t>(b.owner_claims, 1);
            b.owner = k.mac;
            b.owner_last = c.last_ns;
            b.owner_claims = c.claims;
            b.challenger = impostor;
            b.challenger_last = c.last_ns;
            Conflicts f;  // everything it claimed as the false owner counts now
            f.claims = false_claims;
            f.add_ip(k.ip, k.mac, false_claims);
            window_.add(MacKey{impostor}, second, f);
            return;
        }
        if (b.owner == k.mac) {
            // The owner answers back while a challenger is active: both are alive.
            if (b.challenger_last && c.last_ns >= b.challenger_last && c.first_ns <= b.challenger_last + alive) {
                Conflicts f;
                f.owner_reclaims = 1;
                window_.add(MacKey{b.challenger}, second, f);
            }
            b.owner_last = std::max(b.owner_last, c.last_ns);
            b.owner_claims += c.claims;
            return;
        }
        if (b.owner_last + alive < c.first_ns) {  // the owner went silent: the IP changed hands
            set_owner(b, k.mac, c.last_ns);
            b.challenger_last = 0;
            return;
        }
        Conflicts f;
        f.claims = c.claims;
        f.gratuitous = c.gratuitous;
        f.add_ip(k.ip, b.owner, c.claims);
        window_.add(MacKey{k.mac}, second, f);
        b.challenger = k.mac;
        b.challenger_last = std::max(b.challenger_last, c.last_ns);
    }

    [[nodiscard]] uint32_t owned(const Mac& mac) const {
        const auto it = owned_.find(MacKey{mac});
        return it == owned_.end() ? 0 : it->second;
    }
    void set_owner(Binding& b, const Mac& mac, TimestampNs last) {
        disown(b.owner);
        ++owned_[MacKey{mac}];
        b.owner = mac;
        b.owner_last = last;
        b.owner_claims = 1;
    }
    void disown(const Mac& mac) {
        const auto it = owned_.find(MacKey{mac});
        if (it != owned_.end() && --it->second == 0) owned_.erase(it);
    }

    // Drops the eighth of the bindings claimed least recently (exactly that many: a flood
    // gives many bindings the same time, and ties must not empty the table).
    void evict_oldest() {
        std::vector<std::pair<TimestampNs, IpAddr>> ages;
        ages.reserve(bindings_.size());
        for (const auto& [ip, b] : bindings_) ages.emplace_back(std::max(b.owner_last, b.challenger_last), ip);
        const size_t n = std::max<size_t>(1, ages.size() / 8);
        std::nth_element(ages.begin(), ages.begin() + static_cast<std::ptrdiff_t>(n - 1), ages.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        for (size_t i = 0; i < n; ++i) {
            const auto it = bindings_.find(ages[i].second);
            disown(it->second.owner);
            bindings_.erase(it);
        }
        // Impostors keep counts for IPs they lost: rebuild from the bindings if that drifts far.
        if (owned_.size() > 2 * bindings_.size() + 64) {
            owned_.clear();
            for (const auto& [ip, b] : bindings_) ++owned_[MacKey{b.owner}];
        }
    }

    // The address the claiming MAC owns itself (it asked for its targets' MACs with it), if any.
    const IpAddr* own_ip(const Mac& mac) const noexcept {
        const IpAddr* best = nullptr;
        TimestampNs newest = 0;
        for (const auto& [ip, b] : bindings_)
            if (b.owner == mac && b.owner_last >= newest) {
                best = &ip;
                newest = b.owner_last;
            }
        return best;
    }

    void raise(const Mac& mac, const Conflicts& c, TimestampNs now, AlertSink& sink) const {
        AlertCandidate a;
        a.ts = now;
        a.src_mac = devices::mac_to_string(mac);
        if (const IpAddr* own = own_ip(mac)) {
            a.has_src = true;
            a.src = *own;
        } else {
            a.key_by_victim = true;  // it never used an address of its own: the episode is the victim's
        }
        size_t top = 0;
        for (uint8_t i = 1; i < c.n; ++i)
            if (c.per_ip[i] > c.per_ip[top]) top = i;
        a.has_victim = true;
        a.victim = c.ips[top];
        a.victim_count = c.n;
        for (uint8_t i = 0; i < c.n; ++i) a.top_peers.push_back({c.ips[i], c.per_ip[i]});
        std::sort(a.top_peers.begin(), a.top_peers.end(), [](const auto& x, const auto& y) { return x.count > y.count; });
        const bool mitm = c.n >= 2;
        if (mitm) a.severity = Severity::kCritical;
        auto& e = a.explanation;
        e.metric = "conflicting_claims";
        e.value = c.claims;
        e.threshold = cfg_.min_claims;
        e.window_s = static_cast<double>(window_.window_s());
        char text[320];
        std::snprintf(text, sizeof text,
                      "%s claimed %u IP%s owned by other live MACs %u times in %llds (threshold %u), e.g. %s (owner %s)%s",
                      a.src_mac.c_str(), c.n, c.n == 1 ? "" : "s", c.claims, static_cast<long long>(window_.window_s()),
                      cfg_.min_claims, c.ips[top].to_string().c_str(), devices::mac_to_string(c.owners[top]).c_str(),
                      mitm ? ": man-in-the-middle pattern" : "");
        e.text = text;
        std::vector<std::string> contested;
        for (uint8_t i = 0; i < c.n; ++i)
            contested.push_back(c.ips[i].to_string() + " owner " + devices::mac_to_string(c.owners[i]));
        a.evidence.push_back({"contested", std::move(contested)});
        a.evidence.push_back({"gratuitous", static_cast<double>(c.gratuitous)});
        a.evidence.push_back({"owner_reclaims", static_cast<double>(c.owner_reclaims)});
        a.evidence.push_back({"mitm", std::string(mitm ? "yes" : "no")});
        sink.raise(std::move(a));
    }

    struct Pending {
        ClaimKey key;
        Claims claims;
        int64_t second;
    };

    std::vector<Pending> pending_;  // claims absorbed since the last evaluation
    std::unordered_map<IpAddr, Binding, IpHasher> bindings_;
    std::unordered_map<MacKey, uint32_t, KeyHasher> owned_;  // IPs each MAC owns (bounded with bindings_)
};

}  // namespace

DetectorFactory arp_spoof_detector() { return {AlertKind::kArpSpoof, &make_shard<Shard>, &make_global<Global>}; }

}  // namespace nms::detect
