#include "devices/geoip.hpp"

#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace nms::devices {
namespace {

// A UTF-8 string at `path` in the entry, or "" (absent, another type, or a decode error).
std::string text_at(MMDB_entry_s& entry, const char* const* path, bool& error) {
    MMDB_entry_data_s data{};
    const int rc = MMDB_aget_value(&entry, &data, path);
    if (rc != MMDB_SUCCESS) {
        // A path that is not there is normal (a Country DB without names); anything else is corrupt data.
        if (rc != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR && rc != MMDB_INVALID_LOOKUP_PATH_ERROR) error = true;
        return {};
    }
    if (!data.has_data || data.type != MMDB_DATA_TYPE_UTF8_STRING) return {};
    return std::string(data.utf8_string, data.data_size);
}

uint32_t uint_at(MMDB_entry_s& entry, const char* const* path, bool& error) {
    MMDB_entry_data_s data{};
    const int rc = MMDB_aget_value(&entry, &data, path);
    if (rc != MMDB_SUCCESS) {
        if (rc != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR && rc != MMDB_INVALID_LOOKUP_PATH_ERROR) error = true;
        return 0;
    }
    if (!data.has_data) return 0;
    switch (data.type) {
        case MMDB_DATA_TYPE_UINT16: return data.uint16;
        case MMDB_DATA_TYPE_UINT32: return data.uint32;
        case MMDB_DATA_TYPE_UINT64: return data.uint64 <= UINT32_MAX ? static_cast<uint32_t>(data.uint64) : 0;
        default: return 0;
    }
}

}  // namespace

struct MmdbFile::Handle {
    MMDB_s db{};
    bool open = false;  // MMDB_open frees what it allocated when it fails: nothing to close then
    ~Handle() {
        if (open) MMDB_close(&db);
    }
};

MmdbFile::MmdbFile(std::unique_ptr<Handle> h) : h_(std::move(h)) {
    if (h_->db.metadata.database_type) type_ = h_->db.metadata.database_type;
}

MmdbFile::~MmdbFile() = default;

std::unique_ptr<MmdbFile> MmdbFile::open(const std::string& path, std::string& error) {
    auto h = std::make_unique<Handle>();
    const int rc = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &h->db);
    if (rc != MMDB_SUCCESS) {
        error = MMDB_strerror(rc);
        if (rc == MMDB_IO_ERROR && errno) error += std::string(" (") + std::strerror(errno) + ")";
        return nullptr;
    }
    h->open = true;
    return std::unique_ptr<MmdbFile>(new MmdbFile(std::move(h)));
}

MmdbFile::Result MmdbFile::lookup(const IpAddr& ip, GeoInfo& out) const {
    sockaddr_storage ss{};
    if (ip.is_v4()) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
        sin->sin_family = AF_INET;
        std::memcpy(&sin->sin_addr, ip.bytes.data() + 12, 4);
    } else {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
        sin6->sin6_family = AF_INET6;
        std::memcpy(&sin6->sin6_addr, ip.bytes.data(), 16);
    }
    int mmdb_error = MMDB_SUCCESS;
    MMDB_lookup_result_s r = MMDB_lookup_sockaddr(&h_->db, reinterpret_cast<const sockaddr*>(&ss), &mmdb_error);
    // An IPv6 address in an IPv4-only database is simply not in it.
    if (mmdb_error == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR) return Result::kNotFound;
    if (mmdb_error != MMDB_SUCCESS) return Result::kError;
    if (!r.found_entry) return Result::kNotFound;
    bool error = false;
    static constexpr const char* kIso[] = {"country", "iso_code", nullptr};
    static constexpr const char* kRegIso[] = {"registered_country", "iso_code", nullptr};
    static constexpr const char* kName[] = {"country", "names", "en", nullptr};
    static constexpr const char* kRegName[] = {"registered_country", "names", "en", nullptr};
    static constexpr const char* kCity[] = {"city", "names", "en", nullptr};
    static constexpr const char* kAsn[] = {"autonomous_system_number", nullptr};
    static constexpr const char* kOrg[] = {"autonomous_system_organization", nullptr};
    if (std::string iso = text_at(r.entry, kIso, error); !iso.empty()) {
        out.country_iso = std::move(iso);
        out.country = text_at(r.entry, kName, error);
    } else if (std::string reg = text_at(r.entry, kRegIso, error); !reg.empty()) {
        out.country_iso = std::move(reg);
        out.country = text_at(r.entry, kRegName, error);
    }
    if (std::string city = text_at(r.entry, kCity, error); !city.empty()) out.city = std::move(city);
    if (const uint32_t asn = uint_at(r.entry, kAsn, error)) {
        out.asn = asn;
        out.as_org = text_at(r.entry, kOrg, error);
    }
    return error ? Result::kError : Result::kFound;
}

size_t GeoLookup::IpHash::operator()(const IpAddr& ip) const noexcept {
    uint64_t a = 0, b = 0;
    std::memcpy(&a, ip.bytes.data(), 8);
    std::memcpy(&b, ip.bytes.data() + 8, 8);
    return std::hash<uint64_t>{}(a * 0x9e3779b97f4a7c15ULL ^ b);
}

GeoLookup::GeoLookup(const std::string& country_db, const std::string& asn_db, size_t cache_max)
    : cache_max_(cache_max ? cache_max : 1) {
    const auto open_one = [this](const std::string& path, const char* what) -> std::unique_ptr<MmdbFile> {
        if (path.empty()) return nullptr;
        std::string error;
        auto f = MmdbFile::open(path, error);
        if (!f) {
            ++counters_.unavailable_dbs;
            if (!warnings_.empty()) warnings_ += '\n';
            warnings_ += std::string("devices: cannot open ") + what + " database " + path + ": " + error +
                         "; no " + what + " data for external addresses";
        }
        return f;
    };
    country_ = open_one(country_db, "GeoIP");
    asn_ = open_one(asn_db, "ASN");
}

const GeoInfo& GeoLookup::lookup(const IpAddr& ip) {
    static const GeoInfo kNone;
    if (!active()) return kNone;
    if (auto it = recent_.find(ip); it != recent_.end()) {
        ++counters_.cache_hits;
        return it->second;
    }
    GeoInfo info;
    if (auto it = older_.find(ip); it != older_.end()) {
        ++counters_.cache_hits;
        info = std::move(it->second);
        older_.erase(it);
    } else {
        ++counters_.lookups;
        bool error = false, found = false;
        for (const MmdbFile* f : {country_.get(), asn_.get()}) {
            if (!f) continue;
            const auto r = f->lookup(ip, info);
            error |= r == MmdbFile::Result::kError;
            found |= r == MmdbFile::Result::kFound;
        }
        if (error) ++counters_.errors;
        else if (!found) ++counters_.not_found;
    }
    if (recent_.size() >= cache_max_) {
        older_ = std::move(recent_);
        recent_.clear();
    }
    return recent_.emplace(ip, std::move(info)).first->second;
}

}  // namespace nms::devices
