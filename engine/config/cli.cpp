#include "config/cli.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "config/config_schema.hpp"

namespace nms::config {

namespace {

constexpr std::string_view kHint = "; see 'netmonsec --help'";
constexpr std::string_view kSubcommands[] = {"passwd", "doctor", "fingerprints"};

CliError error(std::string option, std::string what) {
    std::string msg = "netmonsec: " + what;
    msg += kHint;
    return CliError{std::move(option), std::move(msg)};
}

// Returns "" when `text` is accepted for `key`, else why not (uses the config file's ranges).
std::string parse_uint(std::string_view text, std::string_view key, uint32_t& out) {
    const detail::KeySpec* spec = detail::find_key(key);
    uint64_t v = 0;
    const auto res = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || res.ec != std::errc() || res.ptr != text.data() + text.size() ||
        static_cast<int64_t>(std::min<uint64_t>(v, uint64_t{1} << 62)) < spec->min ||
        v > static_cast<uint64_t>(spec->max)) {
        return "expected an integer in " + detail::accepted_text(*spec);
    }
    out = static_cast<uint32_t>(v);
    return {};
}

std::string parse_double(std::string_view text, std::string_view key, double& out) {
    const detail::KeySpec* spec = detail::find_key(key);
    double v = 0;
    const auto res = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || res.ec != std::errc() || res.ptr != text.data() + text.size() || !std::isfinite(v) ||
        v < static_cast<double>(spec->min) || v > static_cast<double>(spec->max)) {
        return "expected a number in " + detail::accepted_text(*spec);
    }
    out = v;
    return {};
}

std::string non_empty(std::string_view text) {
    return text.empty() ? "expected a non-empty value" : "";
}

using Apply = std::string (*)(CliOptions&, std::string_view value);

struct OptionSpec {
    char short_name;             // 0 = long only
    std::string_view long_name;  // without "--"
    std::string_view value;      // value placeholder; empty = flag
    Apply apply;
};

const OptionSpec kOptions[] = {
    {'c', "config", "FILE",
     [](CliOptions& o, std::string_view v) {
         o.config_path = v;
         o.config_explicit = true;
         return non_empty(v);
     }},
    {'i', "interface", "IFACE",
     [](CliOptions& o, std::string_view v) {
         if (v.empty() || v.size() > 15) return std::string("expected an interface name of 1..15 characters");
         if (std::find(o.interfaces.begin(), o.interfaces.end(), v) != o.interfaces.end()) {
             return "interface '" + std::string(v) + "' is given twice";
         }
         o.interfaces.emplace_back(v);
         return std::string();
     }},
    {'r', "read", "FILE",
     [](CliOptions& o, std::string_view v) {
         o.pcap_file = std::string(v);
         return non_empty(v);
     }},
    {0, "replay-speed", "X",
     [](CliOptions& o, std::string_view v) {
         double x = 0;
         std::string why = parse_double(v, "capture.replay_speed", x);
         o.replay_speed = x;
         return why;
     }},
    {0, "loop", "N",
     [](CliOptions& o, std::string_view v) {
         uint32_t n = 0;
         std::string why = parse_uint(v, "capture.loop", n);
         o.loop = n;
         return why;
     }},
    {'w', "workers", "N",
     [](CliOptions& o, std::string_view v) {
         uint32_t n = 0;
         std::string why = parse_uint(v, "pipeline.workers", n);
         o.workers = n;
         return why;
     }},
    {0, "eve", "FILE|-",
     [](CliOptions& o, std::string_view v) {
         o.eve_path = std::string(v);
         return non_empty(v);
     }},
    {'v', "verbose", "",
     [](CliOptions& o, std::string_view) {
         o.verbosity = std::min(o.verbosity + 1, 2);
         return std::string();
     }},
    {0, "list", "",
     [](CliOptions& o, std::string_view) {
         o.list_interfaces = true;
         return std::string();
     }},
    {'h', "help", "",
     [](CliOptions& o, std::string_view) {
         o.show_help = true;
         return std::string();
     }},
    {'V', "version", "",
     [](CliOptions& o, std::string_view) {
         o.show_version = true;
         return std::string();
     }},
    {0, "data-dir", "DIR",
     [](CliOptions& o, std::string_view v) {
         o.data_dir = std::string(v);
         return non_empty(v);
     }},
    {0, "listen", "ADDR:PORT",
     [](CliOptions& o, std::string_view v) {
         std::string why;
         if (!detail::valid_listen(v, why))
             return why + " (expected ADDR:PORT, e.g. 127.0.0.1:8080 or [::1]:8080)";
         o.listen = std::string(v);
         return std::string();
     }},
    {0, "no-api", "",
     [](CliOptions& o, std::string_view) {
         o.no_api = true;
         return std::string();
     }},
    {0, "demo", "",
     [](CliOptions& o, std::string_view) {
         o.demo = true;
         return std::string();
     }},
};

const OptionSpec* find_short(char c) {
    for (const OptionSpec& o : kOptions) {
        if (o.short_name == c) return &o;
    }
    return nullptr;
}

const OptionSpec* find_long(std::string_view name) {
    for (const OptionSpec& o : kOptions) {
        if (o.long_name == name) return &o;
    }
    return nullptr;
}

// A near miss for an unknown long option ("--worker" -> "--workers").
std::string suggest(std::string_view name) {
    for (const OptionSpec& o : kOptions) {
        if (o.long_name.starts_with(name) || name.starts_with(o.long_name))
            return "--" + std::string(o.long_name);
    }
    return {};
}

std::string printable(std::string_view arg) {
    std::string out;
    for (char c : arg) out += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
    return out;
}

}  // namespace

CliResult parse_cli(const std::vector<std::string>& args) {
    CliOptions opts;
    bool options_done = false;
    const auto apply = [&](const OptionSpec& spec, const std::string& written,
                           std::string_view value) -> std::optional<CliError> {
        const std::string why = spec.apply(opts, value);
        if (why.empty()) return std::nullopt;
        return error(written, "invalid value '" + printable(value) + "' for " + written + ": " + why);
    };
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (options_done || arg.size() < 2 || arg[0] != '-') {
            // A positional word: the subcommand, or an argument of it.
            if (!opts.subcommand.empty()) {
                opts.subcommand_args.push_back(arg);
            } else if (std::find(std::begin(kSubcommands), std::end(kSubcommands), arg) !=
                       std::end(kSubcommands)) {
                opts.subcommand = arg;
            } else {
                return error(arg,
                             "unexpected argument '" + printable(arg) + "' (subcommands: passwd, doctor, fingerprints)");
            }
            continue;
        }
        if (opts.subcommand == "doctor" && arg == "--json") {  // a word of the doctor, not an option
            opts.subcommand_args.push_back(arg);
            continue;
        }
        if (arg == "--") {
            options_done = true;
            continue;
        }
        if (arg[1] == '-') {
            const std::string body = arg.substr(2);
            const size_t eq = body.find('=');
            const std::string name = body.substr(0, eq);
            const OptionSpec* spec = find_long(name);
            if (spec == nullptr) {
                std::string what = "unknown option '--" + printable(name) + "'";
                const std::string near = suggest(name);
                if (!near.empty()) what += " (did you mean '" + near + "'?)";
                return error("--" + name, what);
            }
            const std::string written = "--" + name;
            if (spec->value.empty()) {
                if (eq != std::string::npos) return error(written, "option '" + written + "' takes no value");
                (void)spec->apply(opts, {});
                continue;
            }
            if (eq != std::string::npos) {
                if (auto e = apply(*spec, written, std::string_view(body).substr(eq + 1))) return *e;
                continue;
            }
            if (i + 1 >= args.size()) {
                return error(written,
                             "option '" + written + "' needs a value (" + std::string(spec->value) + ")");
            }
            if (auto e = apply(*spec, written, args[++i])) return *e;
            continue;
        }
        // Short options: "-v", "-vv", "-w4", "-w 4".
        for (size_t j = 1; j < arg.size(); ++j) {
            const OptionSpec* spec = find_short(arg[j]);
            const std::string written = std::string("-") + arg[j];
            if (spec == nullptr) return error(written, "unknown option '" + printable(written) + "'");
            if (spec->value.empty()) {
                (void)spec->apply(opts, {});
                continue;
            }
            if (j + 1 < arg.size()) {
                if (auto e = apply(*spec, written, std::string_view(arg).substr(j + 1))) return *e;
            } else if (i + 1 < args.size()) {
                if (auto e = apply(*spec, written, args[++i])) return *e;
            } else {
                return error(written, "option '" + written + "' (--" + std::string(spec->long_name) +
                                          ") needs a value (" + std::string(spec->value) + ")");
            }
            break;
        }
    }
    return opts;
}

CliResult parse_cli(int argc, const char* const* argv) {
    std::vector<std::string> args;
    for (int i = 1; i < argc; ++i) args.emplace_back(argv[i] != nullptr ? argv[i] : "");
    return parse_cli(args);
}

std::string usage_text() {
    return R"(Usage: netmonsec [options]
       netmonsec passwd          print a password hash for the web UI
       netmonsec doctor [-i IFACE] [--eve FILE] [--json]
                                 check what decides capture loss (queues, offloads,
                                 IRQs, ring size, sysctls) and explain drop counters
       netmonsec fingerprints [p0f]
                                 list the site fingerprints learned in the data
                                 directory; 'p0f': the TCP ones in p0f 3 format

Capture:
  -i, --interface IFACE   capture live on IFACE; repeat for several NICs
                          (replaces capture.interfaces of the config file)
  -r, --read FILE         replay a pcap/pcapng file instead of capturing live
      --replay-speed X    replay pacing: 1 = recorded timing, 2 = twice as fast,
                          0 = as fast as possible (default)
      --loop N            replay the file N times; 0 = forever (default 1)
      --demo              run on generated traffic: no NIC, no privileges needed
      --list              list capture interfaces and exit
Engine:
  -c, --config FILE       configuration file (default config/netmonsec.toml; when
                          that default is missing, built-in defaults are used)
  -w, --workers N         worker threads, 0 = one per spare CPU (max 256)
      --eve FILE|-        write EVE JSON events to FILE, '-' = stdout
      --data-dir DIR      database and daily logs directory
      --listen ADDR:PORT  web UI / REST API address (default 127.0.0.1:8080)
      --no-api            do not start the web UI / REST API
General:
  -v, --verbose           more logging: -v = info, -vv = debug
  -h, --help              show this help and exit
  -V, --version           show the version and exit

Long options also accept --option=value. Command-line options override the
configuration file. Exit status: 0 = success, 2 = usage, configuration or
permission error.
)";
}

}  // namespace nms::config
