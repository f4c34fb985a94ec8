#include "api/session_store.hpp"

#include <algorithm>

#include "api/credentials.hpp"

namespace nms::api {

bool SessionStore::expired(const Session& s, int64_t now_s) const noexcept {
    return now_s >= s.expires_s || now_s - s.last_used_s >= static_cast<int64_t>(idle_s_);
}

void SessionStore::evict(int64_t now_s) {
    for (auto it = sessions_.begin(); it != sessions_.end();)
        it = expired(it->second, now_s) ? sessions_.erase(it) : std::next(it);
    if (sessions_.size() < max_sessions_) return;
    auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](const auto& a, const auto& b) {
        return a.second.last_used_s < b.second.last_used_s;
    });
    if (oldest != sessions_.end()) sessions_.erase(oldest);
}

std::string SessionStore::create(const User& user, int64_t now_s) {
    if (sessions_.size() >= max_sessions_) evict(now_s);
    std::string token = random_hex(kTokenChars / 2);
    Session s;
    s.user = user.name;
    s.role = user.role;
    s.secret = token.substr(kSelectorChars);
    s.csrf = random_hex(16);
    s.created_s = now_s;
    s.last_used_s = now_s;
    s.expires_s = now_s + ttl_s_;
    sessions_[token.substr(0, kSelectorChars)] = std::move(s);
    return token;
}

const Session* SessionStore::find(std::string_view token, int64_t now_s) {
    if (token.size() != kTokenChars) return nullptr;
    auto it = sessions_.find(std::string(token.substr(0, kSelectorChars)));
    if (it == sessions_.end()) return nullptr;
    Session& s = it->second;
    if (!constant_time_equal(token.substr(kSelectorChars), s.secret)) return nullptr;
    if (expired(s, now_s)) {
        sessions_.erase(it);
        return nullptr;
    }
    s.last_used_s = now_s;
    return &s;
}

void SessionStore::remove(std::string_view token) {
    if (token.size() != kTokenChars) return;
    auto it = sessions_.find(std::string(token.substr(0, kSelectorChars)));
    if (it != sessions_.end() && constant_time_equal(token.substr(kSelectorChars), it->second.secret))
        sessions_.erase(it);
}

}  // namespace nms::api
