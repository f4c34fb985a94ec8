#include "devices/site_fingerprints.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "common/atomic_file.hpp"

namespace nms::devices {
namespace {

constexpr size_t kMaxField = 512;

bool usable(std::string_view s) {
    if (s.size() > kMaxField) return false;
    return std::none_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

bool known_kind(std::string_view k) { return k == "ja4" || k == "dhcp"; }

}  // namespace

std::string dhcp_site_key(std::string_view option55, std::string_view vendor_class) {
    std::string k(option55);
    k += '|';
    k += vendor_class;
    return k;
}

std::vector<SiteFingerprint> SiteFingerprints::parse(std::string_view text, size_t* malformed) {
    std::vector<SiteFingerprint> out;
    size_t bad = 0;
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty() || line.front() == '#') continue;
        std::vector<std::string_view> f;
        for (size_t at = 0;;) {
            const size_t tab = line.find('\t', at);
            f.push_back(line.substr(at, tab == std::string_view::npos ? std::string_view::npos : tab - at));
            if (tab == std::string_view::npos) break;
            at = tab + 1;
        }
        const bool ok = f.size() == 5 && known_kind(f[0]) && !f[1].empty() && !f[3].empty() &&
                        std::all_of(f.begin(), f.end(), usable);
        if (!ok) {
            ++bad;
            continue;
        }
        out.push_back(SiteFingerprint{std::string(f[0]), std::string(f[1]), std::string(f[2]), std::string(f[3]),
                                      std::string(f[4])});
    }
    if (malformed) *malformed = bad;
    return out;
}

long SiteFingerprints::load_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return -1;
    std::stringstream ss;
    ss << in.rdbuf();
    size_t bad = 0;
    for (auto& fp : parse(ss.str(), &bad)) {
        Key k{fp.kind, fp.fingerprint};
        if (conflicted_.count(k)) continue;
        auto [it, fresh] = known_.try_emplace(k, Known{fp, true});
        if (!fresh && it->second.fp.os != fp.os) {  // the file contradicts itself: trust neither line
            known_.erase(it);
            conflicted_.insert(std::move(k));
        }
    }
    malformed_ += bad;
    loaded_ = static_cast<size_t>(std::count_if(known_.begin(), known_.end(), [](const auto& kv) { return kv.second.loaded; }));
    return static_cast<long>(loaded_);
}

std::string SiteFingerprints::to_text(const std::vector<SiteFingerprint>& fps) {
    std::string out =
        "# netmonsec site fingerprints: TLS client JA4 and DHCP fingerprints of local devices whose OS\n"
        "# was named by DHCP, LLDP/CDP or an HTTP User-Agent. TCP SYN signatures are in site.fp (p0f format).\n"
        "# One per line, tab-separated: kind (ja4|dhcp), fingerprint (dhcp: \"<option 55 list>|<vendor class>\"),\n"
        "# OS class (win|unix|other), OS, evidence. Safe to edit; a fingerprint listed with two OSes is ignored.\n";
    for (const auto& f : fps) out += f.kind + '\t' + f.fingerprint + '\t' + f.os_class + '\t' + f.os + '\t' + f.evidence + '\n';
    return out;
}

const SiteFingerprint* SiteFingerprints::find(std::string_view kind, std::string_view fingerprint) const {
    if (loaded_ == 0) return nullptr;
    auto it = known_.find(Key{std::string(kind), std::string(fingerprint)});
    return it == known_.end() || !it->second.loaded ? nullptr : &it->second.fp;
}

SiteFingerprints::Learned SiteFingerprints::learn(SiteFingerprint fp) {
    if (!known_kind(fp.kind) || fp.fingerprint.empty() || fp.os.empty() || !usable(fp.kind) ||
        !usable(fp.fingerprint) || !usable(fp.os_class) || !usable(fp.os) || !usable(fp.evidence))
        return Learned::kRejected;
    Key k{fp.kind, fp.fingerprint};
    if (conflicted_.count(k)) return Learned::kRejected;
    if (auto it = known_.find(k); it != known_.end()) {
        if (it->second.fp.os == fp.os) return Learned::kKnown;
        if (it->second.loaded) --loaded_;
        known_.erase(it);
        learned_.erase(std::remove_if(learned_.begin(), learned_.end(),
                                      [&](const SiteFingerprint& l) { return l.kind == k.first && l.fingerprint == k.second; }),
                       learned_.end());
        conflicted_.insert(std::move(k));
        return Learned::kConflict;
    }
    known_.emplace(k, Known{fp, false});
    learned_.push_back(std::move(fp));
    return Learned::kNew;
}

bool SiteFingerprints::save(const std::string& path, size_t max) const {
    std::vector<SiteFingerprint> all;
    if (std::ifstream in(path); in) {
        std::stringstream ss;
        ss << in.rdbuf();
        all = parse(ss.str());
    }
    // Entries this run found contradicted go; what it learned is added once.
    std::erase_if(all, [&](const SiteFingerprint& f) { return conflicted_.count(Key{f.kind, f.fingerprint}) > 0; });
    for (const auto& f : learned_) {
        const bool there = std::any_of(all.begin(), all.end(), [&](const SiteFingerprint& o) {
            return o.kind == f.kind && o.fingerprint == f.fingerprint;
        });
        if (!there) all.push_back(f);
    }
    if (all.size() > max) all.erase(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(all.size() - max));
    return write_file_atomically(path, to_text(all));
}

}  // namespace nms::devices
