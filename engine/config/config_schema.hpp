#pragma once
// The one table of every configuration key: its dotted name, how it is read from TOML and
// validated, how it is printed, and whether a running engine can apply it without a restart.
// The loader, the unknown-key check, render_config() and reloadable_differences() all walk
// this table, so a key added here is loaded, diffed and documented-tested everywhere at once.
// Internal to nms_config (and its tests).
#include <toml++/toml.h>

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "config/config_error.hpp"

namespace nms::config::detail {

enum class Reload : uint8_t { kLive, kRestart };
enum class Kind : uint8_t { kUint, kDouble, kBool, kString, kMethod, kListen, kIfaceList, kCpuList, kCidrList,
                          kUserList, kMacList, kPortList, kDomainList };

// Collects errors for one source; hands them back ordered by line.
class ErrorSink {
 public:
    explicit ErrorSink(std::string file) : file_(std::move(file)) {}
    void add(int line, std::string key, std::string message);
    [[nodiscard]] bool empty() const noexcept { return errors_.empty(); }
    [[nodiscard]] const std::string& file() const noexcept { return file_; }
    ConfigErrors take();

 private:
    std::string file_;
    ConfigErrors errors_;
};

// Dotted key -> line where the file set it (for errors found after loading).
using LineMap = std::map<std::string, int, std::less<>>;

struct KeySpec;
using LoadFn = void (*)(const KeySpec&, const toml::node&, Config&, ErrorSink&);
using ShowFn = std::string (*)(const Config&);
using CopyFn = void (*)(const Config& from, Config& to);

struct KeySpec {
    std::string_view key;  // "capture.snaplen"
    Kind kind;
    Reload reload;
    LoadFn load;      // type + range check, then store
    ShowFn show;      // TOML literal of the current value
    CopyFn copy;      // copy just this field
    int64_t min = 0;  // integers: value range; strings: length range
    int64_t max = 0;
    bool pow2 = false;                            // integers: must be a power of two
    std::span<const std::string_view> choices{};  // strings: the accepted words
};

std::span<const KeySpec> key_specs();
const KeySpec* find_key(std::string_view key);
// True for "capture", "flow", "flow.timeouts", ...: names that must hold a table.
bool is_table(std::string_view path);
// Human text of what a key accepts: "64..262144", "error, warn, info or debug".
std::string accepted_text(const KeySpec& spec);
// The known key or table closest to an unknown one, "" when nothing is plausible.
std::string closest_name(std::string_view unknown);
// Number of configured CPUs (sysconf(_SC_NPROCESSORS_CONF)), at least 1.
int configured_cpus();
// TOML basic string literal; control characters escaped. Also safe for messages.
std::string quote(std::string_view text);
// ADDR:PORT with ADDR an IPv4 literal or a bracketed IPv6 literal, PORT 1..65535.
bool valid_listen(std::string_view text, std::string& why);
// Checks that span several keys (block_size vs snaplen, ...); lines from `lines` if known.
void cross_check(const Config& cfg, const LineMap& lines, ErrorSink& sink);

}  // namespace nms::config::detail
