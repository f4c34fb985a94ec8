#pragma once
// Broadcaster: the stats thread hands it each Snapshot; it renders the WebSocket frame once
// (shared_ptr<const std::string>) and offers it to every connected client. Clients keep one
// pending slot each (WsSession), so a slow client skips frames instead of queueing them.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "stats/snapshot.hpp"

namespace nms::api {

enum class Topic : uint8_t { kStats };

// One connected WebSocket client; deliver() may be called from any thread.
class WsClient {
 public:
    virtual ~WsClient() = default;
    virtual void deliver(Topic topic, std::shared_ptr<const std::string> frame) = 0;
};

class Broadcaster {
 public:
    void join(const std::shared_ptr<WsClient>& client);
    void left() noexcept { clients_.fetch_sub(1, std::memory_order_relaxed); }
    [[nodiscard]] size_t clients() const noexcept { return clients_.load(std::memory_order_relaxed); }

    // Stats thread, once per tick. Renders only when someone listens.
    void publish(const stats::Snapshot& snap);
    // The newest stats frame (a new subscriber gets it at once); may be null.
    [[nodiscard]] std::shared_ptr<const std::string> latest(Topic topic) const;
    void stop();

    // {"type":"stats","data":{...}}
    static std::shared_ptr<const std::string> stats_frame(const stats::Snapshot& snap);

 private:
    mutable std::mutex mutex_;
    std::vector<std::weak_ptr<WsClient>> clients_list_;
    std::shared_ptr<const std::string> latest_stats_;
    std::atomic<size_t> clients_{0};
    bool stopped_ = false;
};

}  // namespace nms::api
