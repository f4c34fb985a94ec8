#include "common/log.hpp"

#include <atomic>
#include <cstdio>
#include <ctime>

namespace nms::log {
namespace {

std::atomic<Level> g_level{Level::kWarn};

void vwrite(Level lvl, const char* fmt, va_list ap) noexcept {
    if (static_cast<int>(lvl) > static_cast<int>(g_level.load(std::memory_order_relaxed))) return;
    static constexpr const char* kNames[] = {"error", "warn", "info", "debug"};
    char msg[1024];
    std::vsnprintf(msg, sizeof msg, fmt, ap);
    // One fprintf per line so lines from different threads do not interleave.
    std::fprintf(stderr, "netmonsec: %s: %s\n", kNames[static_cast<int>(lvl)], msg);
}

}  // namespace

void set_level(Level level) noexcept { g_level.store(level, std::memory_order_relaxed); }
Level level() noexcept { return g_level.load(std::memory_order_relaxed); }

#define NMS_LOG_FN(name, lvl)                   \
    void name(const char* fmt, ...) noexcept {  \
        va_list ap;                             \
        va_start(ap, fmt);                      \
        vwrite(lvl, fmt, ap);                   \
        va_end(ap);                             \
    }
NMS_LOG_FN(error, Level::kError)
NMS_LOG_FN(warn, Level::kWarn)
NMS_LOG_FN(info, Level::kInfo)
NMS_LOG_FN(debug, Level::kDebug)
#undef NMS_LOG_FN

}  // namespace nms::log
