#pragma once
// Timestamps are nanoseconds since the Unix epoch in a plain uint64_t: packet time for
// everything derived from traffic, the monotonic clock only for pacing and busy ratios.
#include <cstdint>
#include <ctime>

namespace nms {

using TimestampNs = uint64_t;

inline constexpr uint64_t kNsPerUs = 1'000;
inline constexpr uint64_t kNsPerMs = 1'000'000;
inline constexpr uint64_t kNsPerSec = 1'000'000'000;

inline uint64_t clock_ns(clockid_t id) noexcept {
    timespec ts{};
    clock_gettime(id, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * kNsPerSec + static_cast<uint64_t>(ts.tv_nsec);
}
inline uint64_t monotonic_ns() noexcept { return clock_ns(CLOCK_MONOTONIC); }
inline TimestampNs wall_ns() noexcept { return clock_ns(CLOCK_REALTIME); }

}  // namespace nms
