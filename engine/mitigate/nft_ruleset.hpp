#pragma once
// NftRuleset: netmonsec's own nftables table, through libnftables (no nft process):
//   table inet <name> {
//     set banned_v4 { type ipv4_addr; flags timeout; }   set banned_v6 { ... ipv6_addr ... }
//     chain input   { type filter hook input   priority filter - 10; policy accept;
//                     ip saddr @banned_v4 drop; ip6 saddr @banned_v6 drop; }
//     chain forward { same, hook forward }
//   }
// Bans are set elements with a timeout, so the kernel expires them even if the daemon dies.
// Needs CAP_NET_ADMIN in the network namespace. Thread-safe: one mutex around the context
// (libnftables contexts are not), held only for the duration of one command.
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "common/ip_addr.hpp"

struct nft_ctx;

namespace nms::mitigate {

struct NftElement {
    IpAddr ip;
    uint32_t timeout_s = 0;
    uint32_t expires_s = 0;  // seconds left, as the kernel counts them
};

class NftRuleset {
 public:
    // `table`: letters, digits and '_' (config validation), so it is safe inside commands.
    explicit NftRuleset(std::string table);
    ~NftRuleset();
    NftRuleset(const NftRuleset&) = delete;
    NftRuleset& operator=(const NftRuleset&) = delete;

    // Replaces any table of that name (a leftover of a crashed run) with an empty one.
    bool create(std::string& error);
    // Deletes the table (and with it every ban); absent already is success.
    bool destroy(std::string& error);
    bool add(const IpAddr& ip, uint32_t timeout_s, std::string& error);
    bool remove(const IpAddr& ip, std::string& error);
    // Current elements of both sets (expired ones are gone).
    bool list(std::vector<NftElement>& out, std::string& error);
    [[nodiscard]] const std::string& table() const noexcept { return table_; }

 private:
    // Runs one command buffer; `json_out` receives JSON output when non-null.
    bool run(const std::string& cmd, std::string* json_out, std::string& error);

    std::string table_;
    std::mutex mutex_;
    nft_ctx* ctx_ = nullptr;
};

// Parses `nft -j list set` output; appends the elements. False when it is not such output.
bool parse_nft_set_json(const std::string& json, std::vector<NftElement>& out);

}  // namespace nms::mitigate
