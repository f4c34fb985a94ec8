#pragma once
// GeoIP/ASN of external addresses from MaxMind DB files (GeoLite2-Country/-City and
// GeoLite2-ASN, or DB-IP's compatible files), read with libmaxminddb. Stats-thread code:
// lookups allocate and are cached; nothing here runs on the packet path.
//
// A missing or unreadable database is not an error: open() says why (for one startup
// warning), counts it in `unavailable_dbs`, and lookups give nothing for that half.
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "common/ip_addr.hpp"

namespace nms::devices {

struct GeoInfo {
    std::string country_iso;   // "DE"; the registered country when the DB has no located one
    std::string country;       // English name, when the DB has names
    std::string city;          // English name (City databases only)
    uint32_t asn = 0;          // 0 = unknown
    std::string as_org;
    [[nodiscard]] bool empty() const noexcept { return country_iso.empty() && asn == 0; }
    bool operator==(const GeoInfo&) const = default;
};

struct GeoCounters {
    uint64_t lookups = 0;         // cache misses that read a database
    uint64_t cache_hits = 0;
    uint64_t not_found = 0;       // read, nothing in either database
    uint64_t errors = 0;          // libmaxminddb lookup/decode errors (corrupt data)
    uint64_t unavailable_dbs = 0; // configured files that could not be opened
};

// One MMDB file. Move-only; closes the file on destruction.
class MmdbFile {
 public:
    // Opens `path`; on failure returns null and says why in `error`.
    static std::unique_ptr<MmdbFile> open(const std::string& path, std::string& error);
    ~MmdbFile();
    MmdbFile(const MmdbFile&) = delete;
    MmdbFile& operator=(const MmdbFile&) = delete;

    enum class Result { kFound, kNotFound, kError };
    // Fills the fields this file has (country/city or ASN) into `out`.
    Result lookup(const IpAddr& ip, GeoInfo& out) const;
    [[nodiscard]] const std::string& database_type() const noexcept { return type_; }

 private:
    struct Handle;
    explicit MmdbFile(std::unique_ptr<Handle> h);
    std::unique_ptr<Handle> h_;
    std::string type_;
};

// Country/city and ASN databases together, with a bounded cache of answers by address.
class GeoLookup {
 public:
    // Either path may be empty (that half off). Open failures go to `warnings`, one line each.
    GeoLookup(const std::string& country_db, const std::string& asn_db, size_t cache_max = 8192);
    [[nodiscard]] bool active() const noexcept { return country_ || asn_; }
    [[nodiscard]] const std::string& warnings() const noexcept { return warnings_; }
    // The answer for `ip` (empty when nothing is known). Valid until the next call.
    const GeoInfo& lookup(const IpAddr& ip);
    [[nodiscard]] const GeoCounters& counters() const noexcept { return counters_; }

 private:
    struct IpHash {
        size_t operator()(const IpAddr& ip) const noexcept;
    };
    std::unique_ptr<MmdbFile> country_, asn_;
    std::string warnings_;
    size_t cache_max_;
    // Two generations: when `recent_` is full it becomes `older_` and a fresh one starts, so the
    // cache stays within 2 x cache_max and addresses still in use survive (moved back on a hit).
    std::unordered_map<IpAddr, GeoInfo, IpHash> recent_, older_;
    GeoCounters counters_;
};

}  // namespace nms::devices
