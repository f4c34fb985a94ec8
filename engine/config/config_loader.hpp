#pragma once
// Loading config/netmonsec.toml into a validated Config. Nothing here throws or aborts on bad
// input: every problem becomes a ConfigError naming the file, line and key, and all of them
// are returned together (a TOML syntax error stops parsing, so it comes alone).
#include <string>
#include <string_view>
#include <variant>

#include "config/config.hpp"
#include "config/config_error.hpp"

namespace nms::config {

using LoadResult = std::variant<Config, ConfigErrors>;

// Larger files are refused before parsing; the shipped file is ~15 KB.
inline constexpr size_t kMaxConfigBytes = 16u << 20;

// Reads and validates a TOML file. Config::path is set to `path`.
LoadResult load_config_file(const std::string& path);
// Same, from text; `name` is used in error messages and as Config::path (tests, SIGHUP reload).
LoadResult load_config_string(std::string_view toml, std::string_view name);

// The config as TOML text, every key with its current value (dotted keys, one per line);
// loading the result gives back the same Config. For `netmonsec doctor` and logs.
std::string render_config(const Config& cfg);

// Every key the file format knows, dotted ("capture.snaplen"), in file order.
std::vector<std::string> config_keys();

}  // namespace nms::config
