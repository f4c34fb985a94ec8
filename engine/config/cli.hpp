#pragma once
// Command line of the netmonsec daemon. parse_cli() only parses and checks each value on its
// own; apply_cli() (config_overrides.hpp) merges the options into a loaded Config and checks
// the combination. Nothing here prints or exits: main() does, with exit code 2 on CliError.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace nms::config {

inline constexpr std::string_view kDefaultConfigPath = "config/netmonsec.toml";

struct CliOptions {
    std::string config_path{kDefaultConfigPath};  // -c / --config
    bool config_explicit = false;                 // -c given: a missing file is then an error
    std::vector<std::string> interfaces;          // -i, repeatable; replaces capture.interfaces
    std::optional<std::string> pcap_file;         // -r
    std::optional<double> replay_speed;           // --replay-speed (0 = as fast as possible)
    std::optional<uint32_t> loop;                 // --loop (0 = forever)
    std::optional<uint32_t> workers;              // -w / --workers
    std::optional<std::string> eve_path;          // --eve FILE|-
    int verbosity = 0;                            // -v count: 1 = info, 2+ = debug
    bool list_interfaces = false;                 // --list
    bool show_help = false;                       // -h / --help
    bool show_version = false;                    // -V / --version
    std::optional<std::string> data_dir;          // --data-dir
    std::optional<std::string> listen;            // --listen ADDR:PORT
    bool no_api = false;                          // --no-api
    bool demo = false;                            // --demo
    std::string subcommand;                       // "" | "passwd" | "doctor"
    std::vector<std::string> subcommand_args;     // words after the subcommand

    bool operator==(const CliOptions&) const = default;
};

struct CliError {
    std::string option;   // the offending argument as written ("-w", "--fooo"); may be empty
    std::string message;  // one line, names the option and ends with the --help hint
};

using CliResult = std::variant<CliOptions, CliError>;

// args excludes the program name. Long options take "--opt value" or "--opt=value"; short ones
// "-w 4" or "-w4"; "-vv" counts twice; "--" ends options.
CliResult parse_cli(const std::vector<std::string>& args);
CliResult parse_cli(int argc, const char* const* argv);

// The --help text (ends with a newline).
std::string usage_text();

}  // namespace nms::config
