#pragma once
// ConfigError: one problem found while loading or combining configuration. Loaders collect
// every error they find and return them together, so one run shows the user all the fixes.
#include <string>
#include <vector>

namespace nms::config {

struct ConfigError {
    std::string file;     // config path, or "command line"
    int line = 0;         // 1-based; 0 = not tied to a line
    std::string key;      // dotted key ("capture.snaplen") or option ("-r"); may be empty
    std::string message;  // what is wrong and what is accepted; names the key itself

    // "config/netmonsec.toml:12: unknown key 'capture.snaplenn'" (no ":line" when line == 0).
    [[nodiscard]] std::string to_string() const;
};

using ConfigErrors = std::vector<ConfigError>;

// All errors, one per line, each ending in '\n'.
std::string to_string(const ConfigErrors& errors);

}  // namespace nms::config
