#pragma once
// Broadcaster: the stats thread hands it each Snapshot; it renders each WebSocket topic's frame
// once (shared_ptr<const std::string>, only for topics someone subscribed to) and offers the
// tick's frames to every connected client in one call. Clients queue them with bounds
// (WsSession): latest-wins for stats and flows, a short FIFO for alerts and devices.
#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/ws_frames.hpp"
#include "stats/snapshot.hpp"

namespace nms::api {

// The frames of one tick, by topic; null = nothing new for that topic this tick.
using TickFrames = std::array<Frame, kTopicCount>;

// One connected WebSocket client; both calls may come from any thread.
class WsClient {
 public:
    virtual ~WsClient() = default;
    // Bit (1 << Topic) per subscribed topic.
    [[nodiscard]] virtual unsigned topics() const noexcept = 0;
    virtual void deliver(const TickFrames& frames) = 0;
};

class Broadcaster {
 public:
    void join(const std::shared_ptr<WsClient>& client);
    void left() noexcept { clients_.fetch_sub(1, std::memory_order_relaxed); }
    [[nodiscard]] size_t clients() const noexcept { return clients_.load(std::memory_order_relaxed); }

    // Stats thread, once per tick. Tracks alert changes always; renders only what is listened to.
    void publish(const stats::Snapshot& snap);
    // The newest stats or flows frame (a new subscriber gets it at once); may be null.
    [[nodiscard]] Frame latest(Topic topic) const;
    void stop();

    // Frames a client dropped (slow reader): counted by sessions, shown in /metrics.
    void count_dropped(uint64_t n) noexcept { dropped_.fetch_add(n, std::memory_order_relaxed); }
    [[nodiscard]] uint64_t dropped() const noexcept { return dropped_.load(std::memory_order_relaxed); }

 private:
    // Alerts opened, updated or ended since the previous tick (the snapshot holds them all).
    std::vector<AlertChangeView> alert_changes(const stats::Snapshot& snap);

    struct AlertMark {
        uint32_t updates = 0;
        TimestampNs last_seen = 0;
        bool ended = false;
        bool has_evidence = false;
    };

    mutable std::mutex mutex_;
    std::vector<std::weak_ptr<WsClient>> clients_list_;
    std::array<Frame, kTopicCount> latest_;
    std::unordered_map<uint64_t, AlertMark> alert_marks_;  // stats thread only
    bool alerts_seen_ = false;                              // stats thread only
    std::atomic<size_t> clients_{0};
    std::atomic<uint64_t> dropped_{0};
    bool stopped_ = false;
};

}  // namespace nms::api
