#pragma once
// DeviceMerger (stats thread): merges the dirty devices of every worker's DeviceShard into
// the global device table, resolves vendor (OUI), OS (p0f TCP signatures, DHCP, HTTP
// User-Agent, each kept as evidence with a confidence), and reports discoveries and changes
// as DeviceEvents. It also learns site signatures (site.fp) from devices whose OS is known
// from DHCP or a User-Agent. Not thread-safe: one owner (the stats thread).
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "devices/device_shard.hpp"
#include "devices/geoip.hpp"
#include "devices/oui_db.hpp"
#include "devices/p0f_db.hpp"
#include "devices/site_fingerprints.hpp"

namespace nms::devices {

struct OsEvidence {
    std::string signal;       // "tcp_syn", "tcp_synack", "tcp_syn_site", "dhcp_fingerprint", "dhcp_vendor_class",
                              // "http_user_agent", "l2_description", "ja4_site", "dhcp_site"
    std::string value;        // the signature / list / header as seen
    std::string os;           // what it says: "Linux 3.11 and newer"
    std::string os_class;     // "unix", "win", "other"
    uint8_t confidence = 0;   // 0..100
    TimestampNs ts = 0;
};

struct DevicePeer {
    IpAddr ip;
    PeerRelation relation = PeerRelation::kOutbound;
    uint32_t connections = 0;
    uint64_t packets_out = 0, bytes_out = 0, packets_in = 0, bytes_in = 0;
    uint32_t rtt_us = 0;
    std::string name;
    GeoInfo geo;                   // external peers, when GeoIP/ASN databases are configured
};

struct Device {
    DeviceKey key;
    std::string mac;               // "" for IP-keyed (remote) devices
    std::string vendor;
    bool mac_local_admin = false;
    bool local = false;
    std::vector<IpAddr> ips;       // oldest first
    TimestampNs first_ns = 0, last_ns = 0;
    uint64_t packets_out = 0, bytes_out = 0, packets_in = 0, bytes_in = 0;
    std::vector<std::string> hostnames;
    std::map<std::string, std::vector<std::string>> attributes;  // fact kind -> distinct values
    std::vector<OsEvidence> os_evidence;
    std::string os;                // best guess, "" = unknown
    std::string os_class;
    uint8_t os_confidence = 0;
    std::vector<std::string> tcp_signatures;  // distinct SYN signatures (p0f text)
    std::vector<DevicePeer> peers; // busiest first
    GeoInfo geo;                   // IP-keyed (remote) devices, when GeoIP/ASN databases are configured
    [[nodiscard]] uint64_t activity() const noexcept { return bytes_in + bytes_out; }
};

struct DeviceEvent {
    TimestampNs ts = 0;
    bool discovered = false;             // first time seen; else a change
    std::vector<std::string> changes;    // "new_ip", "new_hostname", "os_change"
    Device device;
};

struct DeviceTableCounters {
    uint64_t devices = 0;
    uint64_t evicted = 0;          // merged table full: longest-idle dropped
    uint64_t shard_evicted = 0;    // sum over workers
    uint64_t events = 0;
    uint64_t site_signatures = 0;  // learned this run (TCP, site.fp)
    uint64_t site_fingerprints = 0;  // learned this run (JA4 / DHCP, site_fingerprints.tsv)
    uint64_t site_conflicts = 0;     // fingerprints dropped: seen with two OSes
    GeoCounters geo;
};

struct SiteSignature {
    std::string label;             // "s:unix:Linux:(dhclient)"
    std::string sig;               // p0f text with the guessed ittl
    std::string evidence;          // comment: signal, value, device, time
    bool response = false;
};

class DeviceMerger {
 public:
    DeviceMerger(uint32_t max_devices, std::shared_ptr<const OuiDb> oui, std::shared_ptr<const P0fDb> p0f,
                 bool learn_site);

    // GeoIP/ASN for external peers and remote devices (null = none). Before any absorb.
    void set_geo(std::unique_ptr<GeoLookup> geo) { geo_ = std::move(geo); }

    // Folds one worker's dirty devices in; discoveries and changes go to `events`.
    void absorb(uint32_t worker, const std::vector<PartialDevice>& parts, const DeviceShardCounters& counters,
                std::vector<DeviceEvent>& events);
    // Puts devices loaded from storage back (before any absorb): they keep their counters,
    // peers and OS evidence, are not reported as discovered again, and count against the
    // same capacity (the most recently seen win). Returns how many were restored.
    size_t restore(std::vector<Device> devs);
    // Top `n` devices by bytes, and the counters.
    [[nodiscard]] std::vector<Device> top(size_t n) const;
    [[nodiscard]] std::vector<Device> all() const;
    // Devices with traffic after `ns` (packet time): what changed since the last save.
    [[nodiscard]] std::vector<Device> seen_after(TimestampNs ns) const;
    [[nodiscard]] DeviceTableCounters counters() const noexcept;
    [[nodiscard]] const std::vector<SiteSignature>& site_signatures() const noexcept { return site_; }
    // Writes the learned signatures (p0f format) to `path`, keeping earlier ones in it;
    // at most `max` entries. Returns false (with errno set) when it cannot write.
    bool save_site(const std::string& path, size_t max = 256) const;
    // JA4 / DHCP site fingerprints: load them before any absorb; save() them at shutdown.
    [[nodiscard]] SiteFingerprints& site_fingerprints() noexcept { return site_fps_; }
    [[nodiscard]] const SiteFingerprints& site_fingerprints() const noexcept { return site_fps_; }

 private:
    struct Part {
        uint64_t generation = 0;
        uint64_t po = 0, bo = 0, pi = 0, bi = 0;       // last cumulative values seen
        uint64_t base_po = 0, base_bo = 0, base_pi = 0, base_bi = 0;  // from evicted generations
    };
    struct PeerPart {
        PeerSlot last;
        uint64_t generation = 0;
    };
    struct Entry {
        Device dev;
        std::map<uint32_t, Part> parts;                              // per worker
        std::map<std::pair<uint32_t, IpAddr>, PeerSlot> peer_parts;  // per worker and peer
        std::vector<TcpSig> sigs_seen;
        bool site_done = false;
        std::set<std::string> fps_done;  // "kind\tfingerprint" already offered to site_fps_
        TimestampNs idle_ts = 0;   // dev.last_ns as filed in idle_
    };
    static constexpr uint32_t kRestoredPart = UINT32_MAX;  // parts/peer_parts key of stored values

    void recompute(Entry& e);
    void add_evidence(Device& d, OsEvidence ev);
    void match_sig(Entry& e, const TcpSig& s, TimestampNs ts);
    void maybe_learn_site(Entry& e);
    void maybe_learn_fingerprints(Entry& e);
    void match_site_fingerprints(Device& d, bool ja4_fact, bool dhcp_fact, TimestampNs ts);
    void evict_one();

    uint32_t max_devices_;
    std::shared_ptr<const OuiDb> oui_;
    std::shared_ptr<const P0fDb> p0f_;
    bool learn_site_;
    std::unique_ptr<GeoLookup> geo_;
    std::unordered_map<DeviceKey, Entry, DeviceKeyHash> table_;
    // Devices by last activity, so eviction of the longest-idle one is not a scan of the whole
    // table per new device (remote senders come and go by the thousand per tick).
    std::set<std::pair<TimestampNs, DeviceKey>> idle_;
    // p0f verdicts by signature: a site has few distinct stacks, matching scans every p0f
    // signature. Bounded: cleared when it reaches kMaxP0fCache.
    std::unordered_map<std::string, std::optional<P0fMatch>> p0f_cache_;
    std::map<uint32_t, uint64_t> shard_evicted_;
    DeviceTableCounters counters_;
    std::vector<SiteSignature> site_;
    SiteFingerprints site_fps_;
};

// Site signatures as p0f 3 text (what save_site() writes; `p0f -f` reads it).
std::string site_file_text(const std::vector<SiteSignature>& sigs);
// The signatures in a site.fp file (label/sig pairs with their evidence comment); none when unreadable.
std::vector<SiteSignature> read_site_file(const std::string& path);

}  // namespace nms::devices
