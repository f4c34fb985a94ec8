#include "config/config_error.hpp"

namespace nms::config {

std::string ConfigError::to_string() const {
    std::string out = file.empty() ? std::string("config") : file;
    if (line > 0) {
        out += ':';
        out += std::to_string(line);
    }
    out += ": ";
    out += message;
    return out;
}

std::string to_string(const ConfigErrors& errors) {
    std::string out;
    for (const ConfigError& e : errors) {
        out += e.to_string();
        out += '\n';
    }
    return out;
}

}  // namespace nms::config
