#pragma once
// Command line over configuration file: apply_cli() merges CliOptions into a loaded Config
// (the command line wins) and rejects contradictory combinations. load_startup_config() is
// the whole startup sequence main() needs: pick the file, load it, apply the options.
#include "config/cli.hpp"
#include "config/config.hpp"
#include "config/config_error.hpp"
#include "config/config_loader.hpp"

namespace nms::config {

// Errors carry file "command line" and the option as key. On error `cfg` may be partly
// updated; callers discard it. Rules:
//  -r replaces the file's capture.interfaces, -i replaces its capture.pcap_file;
//  -r with -i, --demo with -r or -i, --no-api with --listen are errors;
//  --replay-speed / --loop need a file to replay (-r or capture.pcap_file);
//  -v raises log.level to at least info, -vv to debug (never lowers it).
ConfigErrors apply_cli(Config& cfg, const CliOptions& cli);

// -c FILE (error if missing) or config/netmonsec.toml (built-in defaults if missing), then
// apply_cli. On SIGHUP call it again with the same CliOptions so overrides stay in force.
LoadResult load_startup_config(const CliOptions& cli);

}  // namespace nms::config
