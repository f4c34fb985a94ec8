#include "devices/device_table.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <set>
#include <sstream>

#include "common/atomic_file.hpp"
#include "devices/os_hints.hpp"

namespace nms::devices {
namespace {

constexpr size_t kMaxEvidence = 16;
constexpr size_t kMaxValuesPerAttr = 8;
constexpr size_t kMaxPeersShown = 8;
constexpr size_t kMaxSigs = 4;
constexpr size_t kMaxP0fCache = 4096;

// Every field p0f matching reads, as bytes (TcpSig has padding; its == compares fields).
std::string sig_key(const TcpSig& s) {
    std::string k;
    k.reserve(24 + s.layout_len);
    auto put = [&k](const auto& v) { k.append(reinterpret_cast<const char*>(&v), sizeof v); };
    put(s.ip_ver), put(s.ttl), put(s.olen), put(s.response), put(s.mss), put(s.win), put(s.wscale);
    put(s.eol_pad), put(s.quirks), put(s.pclass), put(s.ts1_nonzero), put(s.tot_hdr), put(s.layout_len);
    k.append(reinterpret_cast<const char*>(s.layout), std::min<size_t>(s.layout_len, TcpSig::kMaxLayout));
    return k;
}
// TCP signature confidences: a site signature was confirmed here by DHCP/UA; p0f's generic
// and fuzzy matches are what p0f itself calls weaker.
constexpr uint8_t kConfSite = 75, kConfSpecific = 70, kConfGeneric = 50, kConfFuzzy = 30;
constexpr uint8_t kSiteLearnMin = 60;  // DHCP (70-80), LLDP/CDP (70) or User-Agent (60) identity
// Learned JA4 / DHCP fingerprints: weaker than anything a device says itself (DHCP 70-80,
// User-Agent 60). A JA4 names a TLS library more than an OS (one browser build ships on
// several), so it is the weaker of the two.
constexpr uint8_t kConfDhcpSite = 55, kConfJa4Site = 40;

// Signals that name a device's OS from its own words: what site fingerprints are learned from.
bool is_identity_signal(const std::string& s) {
    return s == "dhcp_fingerprint" || s == "dhcp_vendor_class" || s == "http_user_agent" || s == "l2_description";
}

// The strongest identity evidence (optionally not from `skip`), or null below kSiteLearnMin.
const OsEvidence* identity(const Device& d, std::string_view skip = {}) {
    const OsEvidence* id = nullptr;
    for (const auto& ev : d.os_evidence) {
        if (!is_identity_signal(ev.signal) || ev.signal == skip || ev.os_class == "!") continue;
        if (ev.confidence >= kSiteLearnMin && (!id || ev.confidence > id->confidence)) id = &ev;
    }
    return id;
}

const std::string* newest_attr(const Device& d, const char* kind) {
    auto it = d.attributes.find(kind);
    return it == d.attributes.end() || it->second.empty() ? nullptr : &it->second.back();
}

bool is_hostname_kind(uint8_t k) {
    return k == static_cast<uint8_t>(dpi::DeviceFact::kHostname) || k == static_cast<uint8_t>(dpi::DeviceFact::kMdnsName) ||
           k == static_cast<uint8_t>(dpi::DeviceFact::kNetbiosName) || k == kFactL2SystemName;
}

template <typename T>
bool add_unique(std::vector<T>& v, const T& x, size_t max) {
    if (std::find(v.begin(), v.end(), x) != v.end()) return false;
    if (v.size() >= max) v.erase(v.begin());
    v.push_back(x);
    return true;
}

std::string utc_text(TimestampNs ns) {
    const auto secs = static_cast<time_t>(ns / 1000000000ULL);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace

std::vector<SiteSignature> read_site_file(const std::string& path) {
    std::vector<SiteSignature> out;
    std::ifstream in(path);
    std::string line, comment, label;
    bool response = false;
    while (std::getline(in, line)) {
        if (line.starts_with("[tcp:response]")) response = true;
        else if (line.starts_with("[tcp:request]")) response = false;
        else if (line.starts_with("; ")) comment = line.substr(2);
        else if (line.starts_with("label = ")) label = line.substr(8);
        else if (line.starts_with("sig   = ") && !label.empty())
            out.push_back(SiteSignature{label, line.substr(8), comment, response});
    }
    return out;
}

std::string site_file_text(const std::vector<SiteSignature>& sigs) {
    std::string out =
        "; netmonsec site signatures (p0f 3 format): TCP signatures of local devices whose OS was\n"
        "; named by DHCP, LLDP/CDP or an HTTP User-Agent. Checked before p0f's own database. Safe to edit.\n"
        "; p0f reads it too (p0f -f site.fp): it needs the classes line to accept the labels.\n"
        "\nclasses = win,unix,other\n";
    for (int r = 0; r < 2; ++r) {
        out += r ? "\n[tcp:response]\n" : "\n[tcp:request]\n";
        for (const auto& s : sigs) {
            if (s.response != (r == 1)) continue;
            out += "\n; " + s.evidence + "\nlabel = " + s.label + "\nsig   = " + s.sig + "\n";
        }
    }
    return out;
}

DeviceMerger::DeviceMerger(uint32_t max_devices, std::shared_ptr<const OuiDb> oui, std::shared_ptr<const P0fDb> p0f,
                           bool learn_site)
    : max_devices_(max_devices ? max_devices : 1), oui_(std::move(oui)), p0f_(std::move(p0f)), learn_site_(learn_site) {}

void DeviceMerger::add_evidence(Device& d, OsEvidence ev) {
    for (auto& e : d.os_evidence) {
        if (e.signal == ev.signal && e.value == ev.value) {
            e.ts = std::max(e.ts, ev.ts);
            return;
        }
    }
    if (d.os_evidence.size() >= kMaxEvidence) {
        auto weakest = std::min_element(d.os_evidence.begin(), d.os_evidence.end(),
                                        [](const auto& a, const auto& b) { return a.confidence < b.confidence; });
        if (weakest->confidence > ev.confidence) return;
        d.os_evidence.erase(weakest);
    }
    d.os_evidence.push_back(std::move(ev));
}

void DeviceMerger::match_sig(Entry& e, const TcpSig& s, TimestampNs ts) {
    if (!p0f_) return;
    std::string key = sig_key(s);
    auto it = p0f_cache_.find(key);
    if (it == p0f_cache_.end()) {
        if (p0f_cache_.size() >= kMaxP0fCache) p0f_cache_.clear();
        it = p0f_cache_.emplace(std::move(key), p0f_->match(s)).first;
    }
    const std::optional<P0fMatch>& m = it->second;
    if (!m) return;
    OsEvidence ev;
    ev.signal = m->sig->site ? "tcp_syn_site" : s.response ? "tcp_synack" : "tcp_syn";
    ev.value = tcp_sig_to_string(s);
    ev.os = m->label->text();
    ev.os_class = m->label->os_class;
    ev.confidence = m->sig->site ? kConfSite : m->fuzzy ? kConfFuzzy : m->generic ? kConfGeneric : kConfSpecific;
    ev.ts = ts;
    add_evidence(e.dev, std::move(ev));
}

void DeviceMerger::recompute(Entry& e) {
    Device& d = e.dev;
    d.packets_out = d.bytes_out = d.packets_in = d.bytes_in = 0;
    for (const auto& [w, p] : e.parts) {
        d.packets_out += p.base_po + p.po;
        d.bytes_out += p.base_bo + p.bo;
        d.packets_in += p.base_pi + p.pi;
        d.bytes_in += p.base_bi + p.bi;
    }
    std::map<IpAddr, DevicePeer> peers;
    for (const auto& [k, s] : e.peer_parts) {
        DevicePeer& p = peers[s.ip];
        p.ip = s.ip;
        p.relation = s.relation;
        p.connections += s.connections;
        p.packets_out += s.packets_out;
        p.bytes_out += s.bytes_out;
        p.packets_in += s.packets_in;
        p.bytes_in += s.bytes_in;
        if (s.rtt_us) p.rtt_us = s.rtt_us;
        if (!s.name.empty()) p.name = std::string(s.name.view());
    }
    d.peers.clear();
    for (auto& [ip, p] : peers) d.peers.push_back(std::move(p));
    std::sort(d.peers.begin(), d.peers.end(), [](const auto& a, const auto& b) {
        return a.bytes_in + a.bytes_out > b.bytes_in + b.bytes_out;
    });
    if (d.peers.size() > kMaxPeersShown) d.peers.resize(kMaxPeersShown);
    if (geo_) {
        // A local device's non-lateral peers are outside; a remote device is its own address.
        if (d.local) {
            for (auto& p : d.peers)
                if (p.relation != PeerRelation::kLateral) p.geo = geo_->lookup(p.ip);
        } else if (d.key.kind == DeviceKey::kIp) {
            IpAddr ip;
            ip.bytes = d.key.b;
            d.geo = geo_->lookup(ip);
        }
    }
    // Best OS: highest confidence, the newest on a tie; userland tools (p0f class "!") are not OSes.
    const OsEvidence* best = nullptr;
    for (const auto& ev : d.os_evidence) {
        if (ev.os_class == "!") continue;
        if (!best || ev.confidence > best->confidence || (ev.confidence == best->confidence && ev.ts > best->ts))
            best = &ev;
    }
    d.os = best ? best->os : std::string();
    d.os_class = best ? best->os_class : std::string();
    d.os_confidence = best ? best->confidence : 0;
}

void DeviceMerger::maybe_learn_site(Entry& e) {
    if (!learn_site_ || e.site_done || e.dev.key.kind != DeviceKey::kMac || !e.dev.local) return;
    const OsEvidence* id = identity(e.dev);
    const TcpSig* syn = nullptr;
    for (const auto& s : e.sigs_seen)
        if (!s.response) syn = &s;
    if (!id || !syn) return;
    e.site_done = true;
    // Nothing to learn if p0f already knows this stack precisely.
    if (p0f_) {
        if (auto m = p0f_->match(*syn); m && !m->fuzzy && !m->generic) return;
    }
    // The MSS depends on the link, not the OS: wildcard it as p0f's own signatures do.
    std::string sig = tcp_sig_to_string(*syn);
    const size_t a = sig.find(':', sig.find(':', sig.find(':') + 1) + 1), b = sig.find(':', a + 1);
    if (a != std::string::npos && b != std::string::npos) sig.replace(a + 1, b - a - 1, "*");
    // "Mac OS X 10.15" -> name "Mac OS X", flavor "10.15"; "Windows 10" -> "Windows", "10".
    std::string name, flavor;
    for (std::string_view n : {"Mac OS X", "Chrome OS"}) {
        if (id->os.starts_with(n)) name = std::string(n);
    }
    if (name.empty()) name = id->os.substr(0, id->os.find(' '));
    if (id->os.size() > name.size() + 1) flavor = id->os.substr(name.size() + 1);
    SiteSignature s;
    s.label = "s:" + (id->os_class.empty() ? std::string("other") : id->os_class) + ":" + name + ":" + flavor;
    s.sig = sig;
    s.evidence = "learned " + utc_text(id->ts) + " from " + id->signal + " \"" + id->value + "\" of " + e.dev.mac;
    for (auto it = site_.begin(); it != site_.end(); ++it) {
        if (it->sig != s.sig) continue;
        if (it->label != s.label) site_.erase(it);  // two OSes, one signature: it identifies neither
        return;
    }
    site_.push_back(std::move(s));
    ++counters_.site_signatures;
}

void DeviceMerger::maybe_learn_fingerprints(Entry& e) {
    const Device& d = e.dev;
    if (!learn_site_ || d.key.kind != DeviceKey::kMac || !d.local) return;
    const auto offer = [&](const char* kind, const std::string& fp, const OsEvidence& id) {
        std::string done = std::string(kind) + '\t' + fp;
        if (e.fps_done.count(done)) return;
        e.fps_done.insert(std::move(done));
        SiteFingerprint f{kind, fp, id.os_class.empty() ? "other" : id.os_class, id.os,
                          "learned " + utc_text(id.ts) + " from " + id.signal + " \"" + id.value + "\" of " + d.mac};
        switch (site_fps_.learn(std::move(f))) {
            case SiteFingerprints::Learned::kNew: ++counters_.site_fingerprints; break;
            case SiteFingerprints::Learned::kConflict: ++counters_.site_conflicts; break;
            default: break;
        }
    };
    if (const OsEvidence* id = identity(d)) {
        if (auto it = d.attributes.find("tls_ja4"); it != d.attributes.end())
            for (const auto& ja4 : it->second) offer("ja4", ja4, *id);
    }
    // A DHCP fingerprint is not learned from itself: the OS must come from another signal.
    if (const OsEvidence* id = identity(d, "dhcp_fingerprint")) {
        if (const std::string* list = newest_attr(d, "dhcp_fingerprint")) {
            const std::string* vc = newest_attr(d, "dhcp_vendor_class");
            offer("dhcp", dhcp_site_key(*list, vc ? *vc : std::string()), *id);
        }
    }
}

void DeviceMerger::match_site_fingerprints(Device& d, bool ja4_fact, bool dhcp_fact, TimestampNs ts) {
    if (site_fps_.loaded() == 0) return;
    const auto add = [&](const char* signal, const SiteFingerprint& f, uint8_t conf) {
        add_evidence(d, OsEvidence{signal, f.fingerprint, f.os, f.os_class, conf, ts});
    };
    if (ja4_fact) {
        if (auto it = d.attributes.find("tls_ja4"); it != d.attributes.end())
            for (const auto& ja4 : it->second)
                if (const SiteFingerprint* f = site_fps_.find("ja4", ja4)) add("ja4_site", *f, kConfJa4Site);
    }
    if (dhcp_fact) {
        if (const std::string* list = newest_attr(d, "dhcp_fingerprint")) {
            const std::string* vc = newest_attr(d, "dhcp_vendor_class");
            if (const SiteFingerprint* f = site_fps_.find("dhcp", dhcp_site_key(*list, vc ? *vc : std::string())))
                add("dhcp_site", *f, kConfDhcpSite);
        }
    }
}

void DeviceMerger::evict_one() {
    if (idle_.empty()) return;
    table_.erase(idle_.begin()->second);
    idle_.erase(idle_.begin());
    ++counters_.evicted;
}

void DeviceMerger::absorb(uint32_t worker, const std::vector<PartialDevice>& parts,
                          const DeviceShardCounters& counters, std::vector<DeviceEvent>& events) {
    shard_evicted_[worker] = counters.evicted;
    for (const PartialDevice& p : parts) {
        auto it = table_.find(p.key);
        const bool discovered = it == table_.end();
        if (discovered) {
            if (table_.size() >= max_devices_) evict_one();
            it = table_.emplace(p.key, Entry{}).first;
            it->second.dev.key = p.key;
            it->second.dev.first_ns = p.first_ns;
            it->second.idle_ts = p.last_ns;
            it->second.dev.last_ns = p.last_ns;
            idle_.emplace(p.last_ns, p.key);
        }
        Entry& e = it->second;
        Device& d = e.dev;
        const size_t old_ips = d.ips.size(), old_names = d.hostnames.size();
        const std::string old_os = d.os;

        if (p.has_mac && d.mac.empty()) {
            d.mac = mac_to_string(p.mac);
            d.mac_local_admin = mac_is_local_admin(p.mac);
            if (oui_) d.vendor = std::string(oui_->vendor(p.mac));
        }
        d.local = d.local || p.local;
        d.first_ns = std::min(d.first_ns, p.first_ns);
        d.last_ns = std::max(d.last_ns, p.last_ns);
        if (d.last_ns != e.idle_ts) {
            idle_.erase({e.idle_ts, d.key});
            idle_.emplace(d.last_ns, d.key);
            e.idle_ts = d.last_ns;
        }
        bool new_ip = false;
        for (uint8_t i = 0; i < p.n_ips; ++i) new_ip |= add_unique(d.ips, p.ips[i], 16);

        Part& part = e.parts[worker];
        if (part.generation && part.generation != p.generation) {  // the shard evicted and re-created it
            part.base_po += part.po;
            part.base_bo += part.bo;
            part.base_pi += part.pi;
            part.base_bi += part.bi;
        }
        part.generation = p.generation;
        part.po = p.packets_out;
        part.bo = p.bytes_out;
        part.pi = p.packets_in;
        part.bi = p.bytes_in;

        bool new_name = false, ja4_fact = false, dhcp_fact = false;
        TimestampNs site_ts = 0;
        for (uint8_t i = 0; i < p.n_facts; ++i) {
            const FactSlot& f = p.facts[i];
            const std::string value(f.value.view());
            add_unique(d.attributes[fact_kind_name(f.kind)], value, kMaxValuesPerAttr);
            if (is_hostname_kind(f.kind)) new_name |= add_unique(d.hostnames, value, 8);
            std::optional<OsHint> h;
            const char* signal = nullptr;
            if (f.kind == kFactL2Description) {
                h = os_from_l2_description(value);
                signal = "l2_description";
            }
            if (f.kind == static_cast<uint8_t>(dpi::DeviceFact::kTlsJa4Client)) ja4_fact = true;
            if (f.kind == static_cast<uint8_t>(dpi::DeviceFact::kDhcpFingerprint) ||
                f.kind == static_cast<uint8_t>(dpi::DeviceFact::kDhcpVendorClass))
                dhcp_fact = true;
            site_ts = std::max(site_ts, f.ts);
            switch (static_cast<dpi::DeviceFact>(f.kind)) {
                case dpi::DeviceFact::kDhcpFingerprint:
                    h = os_from_dhcp_fingerprint(value);
                    signal = "dhcp_fingerprint";
                    break;
                case dpi::DeviceFact::kDhcpVendorClass:
                    h = os_from_dhcp_vendor_class(value);
                    signal = "dhcp_vendor_class";
                    break;
                case dpi::DeviceFact::kHttpUserAgent:
                    h = os_from_user_agent(value);
                    signal = "http_user_agent";
                    break;
                default:
                    break;
            }
            if (h) add_evidence(d, OsEvidence{signal, value, h->text(), h->os_class, h->confidence, f.ts});
        }
        match_site_fingerprints(d, ja4_fact, dhcp_fact, site_ts);
        for (int r = 0; r < 2; ++r) {
            if (!p.has_sig[r]) continue;
            if (std::find(e.sigs_seen.begin(), e.sigs_seen.end(), p.sig[r]) != e.sigs_seen.end()) continue;
            if (e.sigs_seen.size() >= kMaxSigs) e.sigs_seen.erase(e.sigs_seen.begin());
            e.sigs_seen.push_back(p.sig[r]);
            if (r == 0) add_unique(d.tcp_signatures, tcp_sig_to_string(p.sig[r]), kMaxSigs);
            match_sig(e, p.sig[r], p.sig_ts[r]);
        }
        for (uint8_t i = 0; i < p.n_peers; ++i) e.peer_parts[{worker, p.peers[i].ip}] = p.peers[i];
        if (e.peer_parts.size() > 64) {  // bounded: keep the busiest
            std::vector<std::pair<uint64_t, std::pair<uint32_t, IpAddr>>> by;
            for (const auto& [k, s] : e.peer_parts) by.push_back({s.bytes_in + s.bytes_out, k});
            std::sort(by.begin(), by.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
            for (size_t i = 0; i + 64 < by.size(); ++i) e.peer_parts.erase(by[i].second);
        }
        recompute(e);
        maybe_learn_site(e);
        maybe_learn_fingerprints(e);

        DeviceEvent ev;
        ev.ts = d.last_ns;
        ev.discovered = discovered;
        if (!discovered) {
            if (new_ip && d.ips.size() > old_ips) ev.changes.push_back("new_ip");
            if (new_name && d.hostnames.size() > old_names) ev.changes.push_back("new_hostname");
            if (d.os != old_os) ev.changes.push_back("os_change");
        }
        if (discovered || !ev.changes.empty()) {
            ev.device = d;
            events.push_back(std::move(ev));
            ++counters_.events;
        }
    }
}

size_t DeviceMerger::restore(std::vector<Device> devs) {
    std::sort(devs.begin(), devs.end(), [](const Device& a, const Device& b) { return a.last_ns > b.last_ns; });
    size_t n = 0;
    for (Device& d : devs) {
        if (table_.size() >= max_devices_ || table_.count(d.key)) continue;
        Entry e;
        // Stored totals and peers become a pseudo-worker's base, so recompute() adds live traffic to them.
        Part& p = e.parts[kRestoredPart];
        p.base_po = d.packets_out;
        p.base_bo = d.bytes_out;
        p.base_pi = d.packets_in;
        p.base_bi = d.bytes_in;
        for (const DevicePeer& peer : d.peers) {
            PeerSlot s;
            s.ip = peer.ip;
            s.relation = peer.relation;
            s.connections = peer.connections;
            s.packets_out = peer.packets_out;
            s.bytes_out = peer.bytes_out;
            s.packets_in = peer.packets_in;
            s.bytes_in = peer.bytes_in;
            s.rtt_us = peer.rtt_us;
            s.name.set(std::string_view(peer.name));
            e.peer_parts[{kRestoredPart, peer.ip}] = s;
        }
        e.dev = std::move(d);
        recompute(e);
        table_.emplace(e.dev.key, std::move(e));
        ++n;
    }
    return n;
}

std::vector<Device> DeviceMerger::all() const {
    std::vector<Device> out;
    out.reserve(table_.size());
    for (const auto& [k, e] : table_) out.push_back(e.dev);
    std::sort(out.begin(), out.end(), [](const Device& a, const Device& b) { return a.activity() > b.activity(); });
    return out;
}

std::vector<Device> DeviceMerger::seen_after(TimestampNs ns) const {
    std::vector<Device> out;
    for (const auto& [k, e] : table_)
        if (e.dev.last_ns > ns) out.push_back(e.dev);
    return out;
}

std::vector<Device> DeviceMerger::top(size_t n) const {
    std::vector<const Device*> v;
    v.reserve(table_.size());
    for (const auto& [k, e] : table_) v.push_back(&e.dev);
    const size_t m = std::min(n, v.size());
    std::partial_sort(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(m), v.end(),
                      [](const Device* a, const Device* b) { return a->activity() > b->activity(); });
    std::vector<Device> out;
    for (size_t i = 0; i < m; ++i) out.push_back(*v[i]);
    return out;
}

DeviceTableCounters DeviceMerger::counters() const noexcept {
    DeviceTableCounters c = counters_;
    c.devices = table_.size();
    if (geo_) c.geo = geo_->counters();
    c.shard_evicted = 0;
    for (const auto& [w, n] : shard_evicted_) c.shard_evicted += n;
    return c;
}

bool DeviceMerger::save_site(const std::string& path, size_t max) const {
    std::vector<SiteSignature> all = read_site_file(path);
    for (const auto& s : site_) {
        auto it = std::find_if(all.begin(), all.end(), [&](const auto& o) { return o.sig == s.sig && o.response == s.response; });
        if (it == all.end()) all.push_back(s);
        else if (it->label != s.label) all.erase(it);  // contradicted by this run: drop it
    }
    if (all.size() > max) all.erase(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(all.size() - max));
    return write_file_atomically(path, site_file_text(all));
}

}  // namespace nms::devices
