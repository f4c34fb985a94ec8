#include "config/config_loader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <system_error>

#include "config/config_schema.hpp"

namespace nms::config {

namespace {

using detail::ErrorSink;
using detail::KeySpec;
using detail::LineMap;

// Keys are escaped before they appear in a message: a quoted TOML key may hold anything.
std::string printable(std::string_view key) {
    std::string out;
    for (char c : key) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    return out;
}

// toml++ builds one nested table per dotted-key part and frees them recursively, so a key
// like [a.a.a....] with ~100k parts overflows the stack. No netmonsec key has more than two
// dots; refuse long dotted runs before parsing. A tiny lexer skips strings and comments so
// dots in values ("10.0.0.1", paths, floats) do not count. Returns the offending line or 0.
int overly_dotted_line(std::string_view text) {
    constexpr int kMaxDots = 32;
    int line = 1;
    int dots = 0;  // dots in the current run of key parts
    size_t i = 0;
    const auto skip_string = [&](char quote) {
        const bool multi = text.substr(i, 3) == std::string(3, quote);
        i += multi ? 3 : 1;
        while (i < text.size()) {
            const char c = text[i];
            if (c == '\\' && quote == '"') {
                i += 2;
                continue;
            }
            if (c == '\n') {
                ++line;
                if (!multi) return;  // unterminated: let the parser report it
            }
            if (c == quote && (!multi || text.substr(i, 3) == std::string(3, quote))) {
                i += multi ? 3 : 1;
                return;
            }
            ++i;
        }
    };
    while (i < text.size()) {
        const char c = text[i];
        if (c == '"' || c == '\'') {
            skip_string(c);  // a quoted key part keeps the run going
            continue;
        }
        if (c == '#') {
            while (i < text.size() && text[i] != '\n') ++i;
            continue;
        }
        if (c == '.') {
            if (++dots > kMaxDots) return line;
        } else if (c == '\n') {
            ++line;
            dots = 0;
        } else if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == ' ' ||
                     c == '\t')) {
            dots = 0;
        }
        ++i;
    }
    return 0;
}

void walk(const toml::table& table, const std::string& prefix, Config& cfg, LineMap& lines, ErrorSink& sink) {
    for (auto&& [k, node] : table) {
        const std::string path = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
        const int line = static_cast<int>(k.source().begin.line);
        if (const KeySpec* spec = detail::find_key(path)) {
            lines[path] = line;
            spec->load(*spec, node, cfg, sink);
        } else if (detail::is_table(path)) {
            if (const toml::table* sub = node.as_table()) {
                walk(*sub, path, cfg, lines, sink);
            } else {
                sink.add(line, path, "'" + path + "' must be a table ([" + path + "])");
            }
        } else {
            std::string msg = "unknown key '" + printable(path) + "'";
            const std::string near = detail::closest_name(path);
            if (!near.empty()) msg += " (did you mean '" + near + "'?)";
            sink.add(line, printable(path), std::move(msg));
        }
    }
}

LoadResult load_text(std::string_view text, const std::string& name) {
    ErrorSink sink(name);
    try {
        if (const int line = overly_dotted_line(text)) {
            sink.add(line, "", "key nested too deeply (no key here has more than 32 dotted parts)");
            return sink.take();
        }
        toml::table root;
        try {
            root = toml::parse(text, name);
        } catch (const toml::parse_error& err) {
            const auto& where = err.source().begin;
            sink.add(static_cast<int>(where.line), "",
                     "TOML syntax error at column " + std::to_string(where.column) + ": " +
                         std::string(err.description()));
            return sink.take();
        }
        Config cfg;
        LineMap lines;
        walk(root, "", cfg, lines, sink);
        detail::cross_check(cfg, lines, sink);
        if (!sink.empty()) return sink.take();
        cfg.path = name;
        return cfg;
    } catch (const std::exception& e) {
        // bad_alloc and friends: still an error report, never an escaping exception.
        ErrorSink fail(name);
        fail.add(0, "", std::string("cannot load: ") + e.what());
        return fail.take();
    }
}

std::string errno_text(int err) {
    return std::system_category().message(err);
}

}  // namespace

LoadResult load_config_string(std::string_view toml, std::string_view name) {
    try {
        return load_text(toml, std::string(name));
    } catch (...) {
        return ConfigErrors{ConfigError{std::string(name), 0, "", "cannot load: out of memory"}};
    }
}

LoadResult load_config_file(const std::string& path) {
    try {
        const auto fail = [&](std::string message) {
            return LoadResult(ConfigErrors{ConfigError{path, 0, "", std::move(message)}});
        };
        // O_NONBLOCK: opening a FIFO by mistake must not hang startup; fstat refuses it next.
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0) return fail("cannot open config file: " + errno_text(errno));
        struct stat st {};
        if (::fstat(fd, &st) != 0) {
            const int err = errno;
            ::close(fd);
            return fail("cannot stat config file: " + errno_text(err));
        }
        if (!S_ISREG(st.st_mode)) {
            ::close(fd);
            return fail(S_ISDIR(st.st_mode) ? "is a directory, not a config file" : "is not a regular file");
        }
        if (static_cast<uint64_t>(st.st_size) > kMaxConfigBytes) {
            ::close(fd);
            return fail("config file is too large (" + std::to_string(st.st_size) + " bytes; limit " +
                        std::to_string(kMaxConfigBytes) + ")");
        }
        std::string text(static_cast<size_t>(st.st_size), '\0');
        size_t got = 0;
        while (got < text.size()) {
            const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                const int err = errno;
                ::close(fd);
                return fail("cannot read config file: " + errno_text(err));
            }
            if (n == 0) break;  // shrank while reading: parse what is there
            got += static_cast<size_t>(n);
        }
        ::close(fd);
        text.resize(got);
        return load_text(text, path);
    } catch (...) {
        return ConfigErrors{ConfigError{path, 0, "", "cannot load: out of memory"}};
    }
}

std::string render_config(const Config& cfg) {
    std::string out;
    for (const KeySpec& spec : detail::key_specs()) {
        out += spec.key;
        out += " = ";
        out += spec.show(cfg);
        out += '\n';
    }
    return out;
}

std::vector<std::string> config_keys() {
    std::vector<std::string> keys;
    for (const KeySpec& spec : detail::key_specs()) keys.emplace_back(spec.key);
    return keys;
}

}  // namespace nms::config
