#pragma once
// BanManager: turns alerts into bans. An AlertListener (called on the stats thread): BanPolicy
// decides, and the ban itself runs on the manager's own thread through a bounded queue, so
// the stats thread never waits on netlink. Dry run (the default) decides and emits events
// exactly the same way but never touches nftables. Every ban, unban (revoke, shutdown),
// expiry and refused ban is a BanEvent; list() and revoke() serve the API (thread-safe).
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "config/config.hpp"
#include "detect/alert.hpp"
#include "mitigate/ban_event.hpp"
#include "mitigate/ban_policy.hpp"
#include "mitigate/nft_ruleset.hpp"

namespace nms::mitigate {

// Called from the stats thread, the manager's thread and API threads: must be thread-safe.
using BanEventListener = std::function<void(const BanEvent&)>;

struct BanCounters {
    uint64_t bans = 0;
    uint64_t unbans = 0;
    uint64_t expiries = 0;
    uint64_t skips = 0;           // refused by policy (allowlisted, protected, own, rate_limited, ...)
    uint64_t rate_limited = 0;    // part of skips
    uint64_t ignored = 0;         // not mitigable or below min_severity: no event
    uint64_t already_banned = 0;  // the source was banned when its alert (re)appeared
    uint64_t queue_full = 0;      // part of skips
    uint64_t nft_errors = 0;
};

class BanManager final : public detect::AlertListener {
 public:
    BanManager(const config::MitigationConfig& cfg, std::vector<IpAddr> own_addresses, BanEventListener listener);
    ~BanManager() override;
    BanManager(const BanManager&) = delete;
    BanManager& operator=(const BanManager&) = delete;

    // Live mode creates the nft table now (needs CAP_NET_ADMIN: call before dropping
    // privileges). nullopt on success, else a message for the operator.
    std::optional<std::string> open();
    void start();
    // Joins the thread; live mode deletes the table (its bans end with it: "unban" events).
    void stop();

    void on_alert(const detect::Alert& alert, detect::AlertPhase phase) noexcept override;

    // Active bans; live: read from the nft sets, so what the kernel expired is gone.
    std::vector<Ban> list();
    // Lifts one ban now. False (with `error`) when the address is not banned.
    bool revoke(const IpAddr& ip, std::string& error);

    [[nodiscard]] BanCounters counters() const;
    [[nodiscard]] bool dry_run() const noexcept { return dry_run_; }
    [[nodiscard]] const BanPolicy& policy() const noexcept { return policy_; }

 private:
    struct Pending {
        IpAddr ip;
        uint64_t alert_id = 0;
        detect::AlertKind kind = detect::AlertKind::kCount;
    };
    struct Entry {
        Ban ban;
        bool confirmed = false;       // live: the element is in the set
        uint64_t confirmed_mono = 0;
    };
    static constexpr size_t kQueueCapacity = 256;
    static constexpr size_t kDecidedMemory = 4096;  // alert ids remembered as already decided

    void run();
    void execute(const Pending& p);
    void sweep_expired();
    void remember(uint64_t alert_id);
    BanEvent make_event(BanAction action, const IpAddr& ip, const char* reason, uint64_t alert_id,
                        detect::AlertKind kind, TimestampNs expires) const;
    void emit(const BanEvent& ev);

    const uint32_t ban_seconds_;
    const bool dry_run_;
    BanEventListener listener_;
    std::unique_ptr<NftRuleset> nft_;  // null in dry run

    mutable std::mutex mutex_;
    std::condition_variable cv_;
    BanPolicy policy_;
    std::deque<Pending> queue_;
    std::map<IpAddr, Entry> active_;
    std::unordered_set<uint64_t> decided_;
    std::deque<uint64_t> decided_order_;
    BanCounters counters_;
    bool table_created_ = false;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace nms::mitigate
