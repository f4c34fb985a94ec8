#pragma once
// SiteFingerprints: fingerprints this site learned beyond TCP (those live in site.fp, p0f's
// format): the TLS client JA4 and the DHCP fingerprint (option 55 list + vendor class) of
// devices whose OS was named with confidence (DHCP vendor class, LLDP/CDP, HTTP User-Agent).
// Used for later matches of devices showing the same fingerprint. Stats-thread code.
//
// File <data_dir>/site_fingerprints.tsv, one fingerprint per line, tab-separated:
//   kind <TAB> fingerprint <TAB> os_class <TAB> os <TAB> evidence
// kind "ja4" (fingerprint = the JA4 text) or "dhcp" (fingerprint = "<option 55 list>|<vendor
// class>", the class may be empty). Lines starting with '#' and blank lines are ignored; so
// the file can be edited by hand. A fingerprint seen with two OSes identifies neither: it is
// dropped (and stays dropped for the rest of the run).
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nms::devices {

struct SiteFingerprint {
    std::string kind;         // "ja4" | "dhcp"
    std::string fingerprint;
    std::string os_class;     // p0f classes: "win", "unix", "other"
    std::string os;           // "Android 9"
    std::string evidence;     // "learned <time> from <signal> \"<value>\" of <mac>"
};

// "<list>|<vendor class>": the key of a DHCP fingerprint.
std::string dhcp_site_key(std::string_view option55, std::string_view vendor_class);

class SiteFingerprints {
 public:
    static constexpr std::string_view kFileName = "site_fingerprints.tsv";

    // Reads `path`; returns entries loaded, or -1 when it cannot be read. Malformed lines
    // (wrong column count, unknown kind, control characters) are skipped and counted.
    long load_file(const std::string& path);
    // The file's text (header comment + one line per entry).
    static std::string to_text(const std::vector<SiteFingerprint>& fps);
    static std::vector<SiteFingerprint> parse(std::string_view text, size_t* malformed = nullptr);

    // A loaded fingerprint (what this run learned is used from the next start on, as site.fp).
    [[nodiscard]] const SiteFingerprint* find(std::string_view kind, std::string_view fingerprint) const;

    enum class Learned { kNew, kKnown, kConflict, kRejected };
    // Records a fingerprint learned this run. kConflict: the same fingerprint was known (or
    // learned) with another OS: both are forgotten. kRejected: unusable text (tabs, newlines,
    // too long) or a fingerprint that already conflicted.
    Learned learn(SiteFingerprint fp);

    // Merges what this run learned into `path` (entries already there stay unless this run
    // contradicted them), at most `max` entries (oldest dropped first). False with errno set
    // when it cannot write.
    bool save(const std::string& path, size_t max = 1024) const;

    [[nodiscard]] const std::vector<SiteFingerprint>& learned() const noexcept { return learned_; }
    [[nodiscard]] size_t size() const noexcept { return known_.size(); }
    [[nodiscard]] size_t loaded() const noexcept { return loaded_; }
    [[nodiscard]] size_t malformed() const noexcept { return malformed_; }

 private:
    using Key = std::pair<std::string, std::string>;  // kind, fingerprint
    struct Known {
        SiteFingerprint fp;
        bool loaded = false;                          // from the file (else learned this run)
    };
    std::map<Key, Known> known_;                      // loaded + learned, conflicts removed
    std::vector<SiteFingerprint> learned_;            // this run, in order
    std::set<Key> conflicted_;
    size_t malformed_ = 0;
    size_t loaded_ = 0;
};

}  // namespace nms::devices
