#pragma once
// P0fDb: p0f 3's own signature database (/etc/p0f/p0f.fp) for TCP SYN ([tcp:request]) and
// SYN+ACK ([tcp:response]) signatures, matched the way p0f matches them (fp_tcp.c):
// exact specific first, then exact generic, then the first fuzzy one (TTL too far, or
// quirks that differ only by df/id+ lost or id-/ecn gained). Site signatures learned by
// this appliance (site.fp, same format) are checked before p0f's own.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "devices/tcp_fingerprint.hpp"

namespace nms::devices {

struct P0fLabel {
    bool generic = false;       // "g:" label
    bool app = false;           // class "!": a userland tool (nmap, ...), not an OS
    std::string os_class;       // "unix", "win", "!"
    std::string name;           // "Linux"
    std::string flavor;         // "3.11 and newer"
    std::string text() const { return flavor.empty() ? name : name + " " + flavor; }  // as p0f logs it
};

struct P0fSig {
    enum class Win : uint8_t { kAny, kNormal, kMod, kMss, kMtu };
    int8_t ip_ver = -1;         // -1 = any
    uint8_t ittl = 64;
    bool bad_ttl = false;       // "64-": no distance calculation
    uint8_t olen = 0;
    int32_t mss = -1;           // -1 = any
    Win win_type = Win::kNormal;
    uint32_t win = 0;
    int16_t wscale = -1;        // -1 = any
    std::vector<uint8_t> layout;
    uint8_t eol_pad = 0;
    uint32_t quirks = 0;
    int8_t pclass = -1;         // -1 = any
    bool response = false;
    uint32_t label = 0;         // index into labels()
    bool site = false;          // from site.fp
    std::string text;           // the sig line as written
};

struct P0fMatch {
    const P0fSig* sig = nullptr;
    const P0fLabel* label = nullptr;
    bool fuzzy = false;
    bool generic = false;
    uint8_t distance = 0;
};

// Parses one "sig = ..." value; nullopt (with `why`) if malformed.
std::optional<P0fSig> parse_p0f_sig(std::string_view text, std::string* why = nullptr);

class P0fDb {
 public:
    // Reads a p0f.fp file (tcp sections only; [mtu] and [http:*] are skipped). Returns the
    // number of TCP signatures read or -1 if the file cannot be opened. `site` marks them
    // as site signatures (checked first). Malformed lines are counted, not fatal.
    long load_file(const std::string& path, bool site = false);
    long load_text(std::string_view text, bool site = false);

    [[nodiscard]] std::optional<P0fMatch> match(const TcpSig& s) const;
    [[nodiscard]] size_t size() const noexcept { return sigs_.size(); }
    [[nodiscard]] size_t bad_lines() const noexcept { return bad_lines_; }
    [[nodiscard]] const std::vector<P0fLabel>& labels() const noexcept { return labels_; }

 private:
    std::optional<P0fMatch> match_in(const TcpSig& s, bool site) const;

    std::vector<P0fLabel> labels_;
    std::vector<P0fSig> sigs_;
    size_t bad_lines_ = 0;
};

}  // namespace nms::devices
