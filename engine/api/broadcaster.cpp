#include "api/broadcaster.hpp"

#include "api/json_writer.hpp"

namespace nms::api {

void Broadcaster::join(const std::shared_ptr<WsClient>& client) {
    std::lock_guard lock(mutex_);
    clients_list_.push_back(client);
    clients_.fetch_add(1, std::memory_order_relaxed);
}

std::shared_ptr<const std::string> Broadcaster::stats_frame(const stats::Snapshot& snap) {
    std::string frame = "{\"type\":\"stats\",\"data\":";
    frame += render_stats(snap);
    frame += '}';
    return std::make_shared<const std::string>(std::move(frame));
}

void Broadcaster::publish(const stats::Snapshot& snap) {
    std::vector<std::shared_ptr<WsClient>> live;
    {
        std::lock_guard lock(mutex_);
        if (stopped_) return;
        std::erase_if(clients_list_, [](const std::weak_ptr<WsClient>& w) { return w.expired(); });
        if (clients_list_.empty()) {
            latest_stats_.reset();  // rendered lazily: nobody listens
            return;
        }
        live.reserve(clients_list_.size());
        for (const auto& w : clients_list_)
            if (auto c = w.lock()) live.push_back(std::move(c));
    }
    auto frame = stats_frame(snap);  // outside the lock: rendering takes a while
    {
        std::lock_guard lock(mutex_);
        latest_stats_ = frame;
    }
    for (const auto& c : live) c->deliver(Topic::kStats, frame);
}

std::shared_ptr<const std::string> Broadcaster::latest(Topic) const {
    std::lock_guard lock(mutex_);
    return latest_stats_;
}

void Broadcaster::stop() {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    clients_list_.clear();
}

}  // namespace nms::api
