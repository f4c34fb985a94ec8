#pragma once
// SessionStore: login sessions. A token is 256 random bits (64 hex characters); the first 16
// characters select the session, the other 48 are compared in constant time, so lookup time
// tells an attacker nothing about the secret part. Sessions end at a hard expiry or after an
// idle time; the table is bounded (the least recently used session is dropped when full).
// Single-threaded: used only on the API's io_context thread.
#include <cstdint>
#include <string>
#include <unordered_map>

#include "api/user_store.hpp"

namespace nms::api {

struct Session {
    std::string user;
    Role role = Role::kViewer;
    std::string secret;        // token characters 16..63
    std::string csrf;          // double-submit token for cookie-authenticated changes
    int64_t created_s = 0;
    int64_t last_used_s = 0;
    int64_t expires_s = 0;
};

class SessionStore {
 public:
    static constexpr size_t kTokenChars = 64;
    static constexpr size_t kSelectorChars = 16;

    SessionStore(uint32_t ttl_s, uint32_t idle_s, size_t max_sessions = 4096)
        : ttl_s_(ttl_s), idle_s_(idle_s), max_sessions_(max_sessions) {}

    // New session; returns its token (shown to the client once, never logged).
    std::string create(const User& user, int64_t now_s);
    // The live session of `token`, its idle clock refreshed; nullptr if unknown or expired.
    const Session* find(std::string_view token, int64_t now_s);
    void remove(std::string_view token);
    [[nodiscard]] size_t size() const noexcept { return sessions_.size(); }
    [[nodiscard]] uint32_t ttl_s() const noexcept { return ttl_s_; }

 private:
    [[nodiscard]] bool expired(const Session& s, int64_t now_s) const noexcept;
    void evict(int64_t now_s);

    uint32_t ttl_s_;
    uint32_t idle_s_;
    size_t max_sessions_;
    std::unordered_map<std::string, Session> sessions_;  // selector -> session
};

}  // namespace nms::api
