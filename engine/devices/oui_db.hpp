#pragma once
// OuiDb: MAC vendor names from the IEEE registry as Debian's ieee-data ships it: oui.csv
// (MA-L, 24-bit prefixes), mam.csv (MA-M, 28-bit) and oui36.csv (MA-S, 36-bit), each
// "Registry,Assignment,Organization Name,Organization Address" with RFC 4180 quoting.
// Lookup is longest prefix first. Read once at start-up; const and shareable afterwards.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "devices/mac.hpp"

namespace nms::devices {

// Splits one RFC 4180 record ("a,\"b, c\",\"d \"\"e\"\"\"") into fields. Records here never
// span lines (the registry has no embedded newlines); an unterminated quote ends the line.
std::vector<std::string> split_csv_line(std::string_view line);

class OuiDb {
 public:
    // Adds one registry file; returns the number of assignments read, or -1 when the file
    // cannot be opened (the caller warns; a missing file only means fewer vendor names).
    long load_file(const std::string& path);
    // Adds one assignment: `hex` is 6, 7 or 9 hex digits (MA-L, MA-M, MA-S).
    bool add(std::string_view hex, std::string_view org);

    // Vendor of the longest matching block, "" if none (also for locally administered MACs).
    [[nodiscard]] std::string_view vendor(const Mac& m) const;
    [[nodiscard]] size_t size() const noexcept { return l_.size() + m_.size() + s_.size(); }

 private:
    std::unordered_map<uint32_t, std::string> l_;  // 24-bit prefix
    std::unordered_map<uint32_t, std::string> m_;  // 28-bit prefix
    std::unordered_map<uint64_t, std::string> s_;  // 36-bit prefix
};

}  // namespace nms::devices
