#include "api/login_limiter.hpp"

#include <algorithm>

namespace nms::api {

int64_t LoginLimiter::locked_for(const std::string& peer, int64_t now_s) const {
    auto it = entries_.find(peer);
    if (it == entries_.end() || it->second.locked_until_s <= now_s) return 0;
    return it->second.locked_until_s - now_s;
}

bool LoginLimiter::failed(const std::string& peer, int64_t now_s) {
    if (entries_.size() >= kMaxTracked && entries_.find(peer) == entries_.end()) prune(now_s);
    Entry& e = entries_[peer];
    // Failures older than a lockout period no longer count.
    if (e.failures == 0 || now_s - e.first_s >= static_cast<int64_t>(lockout_s_)) {
        e.failures = 0;
        e.first_s = now_s;
    }
    if (++e.failures >= max_failures_) {
        e.failures = 0;
        e.locked_until_s = now_s + lockout_s_;
        return true;
    }
    return false;
}

void LoginLimiter::prune(int64_t now_s) {
    for (auto it = entries_.begin(); it != entries_.end();) {
        const Entry& e = it->second;
        const bool stale = e.locked_until_s <= now_s && now_s - e.first_s >= static_cast<int64_t>(lockout_s_);
        it = stale ? entries_.erase(it) : std::next(it);
    }
    if (entries_.size() < kMaxTracked) return;
    auto oldest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
        return std::max(a.second.first_s, a.second.locked_until_s) < std::max(b.second.first_s, b.second.locked_until_s);
    });
    entries_.erase(oldest);
}

}  // namespace nms::api
