#include "api/ws_outbox.hpp"

namespace nms::api {

size_t WsOutbox::push(Topic topic, Frame frame) {
    if (topic == Topic::kStats || topic == Topic::kFlows) {
        latest_[static_cast<size_t>(topic)] = std::move(frame);  // latest wins
        return 0;
    }
    size_t dropped = 0;
    if (events_.size() >= capacity_) {
        events_.pop_front();
        ++dropped_;
        dropped = 1;
    }
    events_.push_back(std::move(frame));
    return dropped;
}

Frame WsOutbox::next() {
    if (!events_.empty()) {
        Frame f = std::move(events_.front());
        events_.pop_front();
        return f;
    }
    for (Topic t : {Topic::kStats, Topic::kFlows})
        if (auto& slot = latest_[static_cast<size_t>(t)]) return std::move(slot);
    return nullptr;
}

void WsOutbox::clear() {
    latest_ = {};
    events_.clear();
}

bool WsOutbox::empty() const noexcept {
    if (!events_.empty()) return false;
    for (const auto& f : latest_)
        if (f) return false;
    return true;
}

}  // namespace nms::api
