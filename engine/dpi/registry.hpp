#pragma once
// Registry: the dissectors this build knows, each with a dense AppId (1..n). Built once at
// start-up and read-only afterwards, so workers and the output thread share it.
#include <memory>
#include <utility>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dpi/dissector.hpp"

namespace nms::dpi {

class Registry {
 public:
    static constexpr size_t kMaxDissectors = 64;  // candidate sets are one 64-bit mask
    // Ids from here on name protocols with no dissector of ours (the nDPI fallback's verdicts).
    static constexpr AppId kExtraBase = 0x4000;
    static constexpr size_t kMaxExtra = 0x4000;

    // Registers a dissector; returns its id (or kAppUnknown when full or the name exists).
    AppId add(std::unique_ptr<Dissector> d);

    [[nodiscard]] AppId id_of(std::string_view name) const noexcept;
    // Adds a name-only protocol (start-up only); returns its id (>= kExtraBase), or the
    // existing id of that name, or kAppUnknown when the table is full.
    AppId add_name(std::string_view name);
    [[nodiscard]] AppId extra_id_of(std::string_view name) const noexcept;
    // EVE name of an id; "unknown" for kAppUnknown or an id out of range.
    [[nodiscard]] std::string_view name_of(AppId id) const noexcept;
    [[nodiscard]] const Dissector* get(AppId id) const noexcept {
        return id >= 1 && id <= dissectors_.size() ? dissectors_[id - 1].get() : nullptr;
    }
    [[nodiscard]] size_t size() const noexcept { return dissectors_.size(); }
    // Dissectors whose well-known ports include `port` on this transport (first match wins).
    [[nodiscard]] AppId by_port(uint16_t port, bool tcp) const noexcept;
    // Bit i set = dissector id i+1 runs on this transport.
    [[nodiscard]] uint64_t mask_for(bool tcp) const noexcept { return tcp ? tcp_mask_ : udp_mask_; }

 private:
    std::vector<std::unique_ptr<Dissector>> dissectors_;
    std::vector<std::string> extra_;
    // (port << 1 | udp) -> id, sorted, first registration kept: by_port runs for every new
    // flow's packets, and asking each dissector's info() for its ports cost ~130 Ir a call.
    std::vector<std::pair<uint32_t, AppId>> port_index_;
    uint64_t tcp_mask_ = 0;
    uint64_t udp_mask_ = 0;
};

// Every built-in dissector, registered in a fixed order (registry.cpp: one line each).
void register_builtin(Registry& r);
// A process-wide registry with the built-ins (built on first use, then read-only).
const Registry& builtin_registry();

}  // namespace nms::dpi
