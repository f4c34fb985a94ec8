#pragma once
// AlertManager (stats thread): folds AlertCandidates into episodes. An episode is keyed by
// (kind, source) -- or (kind, victim) for many-source kinds -- and is opened by its first
// candidate, updated while candidates keep coming (re-emitted at most every
// update_interval_s) and ended after episode_timeout_s without one: never one alert per
// packet or per evaluation. Suppressions (kind, source CIDR, victim CIDR, expiry) are managed
// from any thread (the API) and checked here; suppressed candidates are counted, not raised.
#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "detect/alert.hpp"
#include "detect/alert_sink.hpp"

namespace nms::detect {

struct Suppression {
    uint64_t id = 0;                       // assigned by add_suppression
    AlertKind kind = AlertKind::kCount;    // kCount = every kind
    std::string src_cidr;                  // "" = any source
    std::string victim_cidr;               // "" = any victim
    TimestampNs expires_ns = 0;            // wall clock; 0 = never
    std::string comment;
    TimestampNs created_ns = 0;            // wall clock
    uint64_t hits = 0;                     // candidates it swallowed
};

struct AlertKindCounters {
    uint64_t candidates = 0;   // raised by detectors (every evaluation that triggered)
    uint64_t opened = 0;
    uint64_t updated = 0;
    uint64_t ended = 0;
    uint64_t suppressed = 0;   // matched a suppression
    uint64_t dropped = 0;      // too many episodes open at once
};
using AlertCounters = std::array<AlertKindCounters, static_cast<size_t>(AlertKind::kCount)>;

struct AlertManagerOptions {
    uint32_t episode_timeout_s = 120;
    uint32_t update_interval_s = 10;
    size_t max_active = 1024;              // open episodes; more are dropped (counted)
    size_t max_recent = 200;               // ended episodes kept for the snapshot
};

class AlertManager final : public AlertSink {
 public:
    using Clock = std::function<TimestampNs()>;  // wall clock (suppression expiry)
    explicit AlertManager(AlertManagerOptions opts = {}, Clock wall_clock = {});

    void set_options(const AlertManagerOptions& o) { opts_ = o; }
    // The store seeds this with its highest alert id + 1; ids only grow.
    void set_next_id(uint64_t id) noexcept { next_id_ = std::max(next_id_, id); }
    [[nodiscard]] uint64_t next_id() const noexcept { return next_id_; }
    // Called on the stats thread, in the order added. Add before the engine starts.
    void add_listener(AlertListener* l) { listeners_.push_back(l); }

    // Any thread. Returns the new id, or nullopt (with `error`) when a CIDR is not valid.
    std::optional<uint64_t> add_suppression(Suppression s, std::string& error);
    [[nodiscard]] std::vector<Suppression> suppressions() const;
    bool remove_suppression(uint64_t id);

    // Stats thread: a detector's candidate (packet time in c.ts).
    void raise(AlertCandidate&& c) override;
    // Stats thread: emits due updates and ends quiet episodes (`now` = packet time).
    void tick(TimestampNs now);
    // Ends every open episode (shutdown, end of a replay).
    void end_all(TimestampNs now);
    // Shutdown when episodes are persisted: emits the pending update of every changed episode
    // (so the store holds its latest counts) and keeps it open for the next start.
    void flush_updates(TimestampNs now);
    // Start-up: open episodes of a previous run (the store's). A candidate with the same key
    // continues the episode (same id); quiet ones end after episode_timeout_s as usual.
    // Beyond max_active the rest are left out. Returns how many were taken.
    size_t restore(std::vector<Alert> open);

    [[nodiscard]] std::vector<Alert> active() const;
    [[nodiscard]] const std::deque<Alert>& recent() const noexcept { return recent_; }
    [[nodiscard]] const AlertCounters& counters() const noexcept { return counters_; }
    [[nodiscard]] size_t active_count() const noexcept { return episodes_.size(); }

 private:
    using Key = std::tuple<uint8_t, bool, IpAddr, std::string>;  // kind, by victim, ip, mac
    struct Episode {
        Alert alert;
        TimestampNs last_emit = 0;
        bool dirty = false;   // changed since last emitted
    };
    struct ParsedSuppression;

    static Key key_of(const Alert& a);
    bool suppressed(const AlertCandidate& c);
    void emit(const Alert& a, AlertPhase phase);
    void finish(Episode& e);
    static void fold(Alert& a, AlertCandidate&& c);

    AlertManagerOptions opts_;
    Clock wall_clock_;
    uint64_t next_id_ = 1;
    std::vector<AlertListener*> listeners_;
    std::map<Key, Episode> episodes_;
    std::deque<Alert> recent_;
    AlertCounters counters_{};

    mutable std::mutex supp_mutex_;
    std::vector<Suppression> supps_;
    uint64_t next_supp_id_ = 1;
};

}  // namespace nms::detect
