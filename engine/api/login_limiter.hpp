#pragma once
// LoginLimiter: per client address, failed logins within a window; at the limit the address
// is locked out for a while. Bounded: at most kMaxTracked addresses are remembered (stale ones
// go first, then the oldest), so a flood of sources cannot grow memory.
#include <cstdint>
#include <string>
#include <unordered_map>

namespace nms::api {

class LoginLimiter {
 public:
    static constexpr size_t kMaxTracked = 8192;

    LoginLimiter(uint32_t max_failures, uint32_t lockout_s) : max_failures_(max_failures), lockout_s_(lockout_s) {}

    // Seconds until `peer` may try again; 0 = allowed now.
    [[nodiscard]] int64_t locked_for(const std::string& peer, int64_t now_s) const;
    // Records a failure; returns true when this failure started a lockout.
    bool failed(const std::string& peer, int64_t now_s);
    void succeeded(const std::string& peer) { entries_.erase(peer); }

 private:
    struct Entry {
        uint32_t failures = 0;
        int64_t first_s = 0;
        int64_t locked_until_s = 0;
    };
    void prune(int64_t now_s);

    uint32_t max_failures_;
    uint32_t lockout_s_;
    std::unordered_map<std::string, Entry> entries_;
};

}  // namespace nms::api
