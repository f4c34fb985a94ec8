#pragma once
// Minimal leveled logging to stderr, printf-style (GCC 12 has no <format>).
// Never used per packet: the hot path counts instead.
#include <cstdarg>

namespace nms::log {

enum class Level { kError = 0, kWarn = 1, kInfo = 2, kDebug = 3 };

void set_level(Level level) noexcept;
Level level() noexcept;
void error(const char* fmt, ...) noexcept __attribute__((format(printf, 1, 2)));
void warn(const char* fmt, ...) noexcept __attribute__((format(printf, 1, 2)));
void info(const char* fmt, ...) noexcept __attribute__((format(printf, 1, 2)));
void debug(const char* fmt, ...) noexcept __attribute__((format(printf, 1, 2)));

}  // namespace nms::log
