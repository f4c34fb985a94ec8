#include "config/config_overrides.hpp"

#include <sys/stat.h>

#include <cerrno>

#include "config/config_schema.hpp"

namespace nms::config {

namespace {

int level_rank(std::string_view level) {
    if (level == "debug") return 3;
    if (level == "info") return 2;
    if (level == "warn") return 1;
    return 0;
}

}  // namespace

ConfigErrors apply_cli(Config& cfg, const CliOptions& cli) {
    detail::ErrorSink sink("command line");
    const auto conflict = [&](std::string key, std::string what) {
        sink.add(0, std::move(key), std::move(what));
    };

    if (cli.pcap_file && !cli.interfaces.empty()) {
        conflict("-r", "-r (replay a file) and -i (capture live) cannot be used together; pick one");
    }
    if (cli.demo && cli.pcap_file) conflict("--demo", "--demo and -r cannot be used together; pick one");
    if (cli.demo && !cli.interfaces.empty()) {
        conflict("--demo", "--demo and -i cannot be used together; --demo generates its own traffic");
    }
    if (cli.no_api && cli.listen)
        conflict("--listen", "--listen has no effect with --no-api; drop one of them");

    CaptureConfig& cap = cfg.capture;
    if (cli.pcap_file) {
        cap.pcap_file = *cli.pcap_file;
        cap.interfaces.clear();
    }
    if (!cli.interfaces.empty()) {
        cap.interfaces = cli.interfaces;
        cap.pcap_file.clear();
    }
    if (cli.demo) {
        cfg.demo = true;
        cap.interfaces.clear();
        cap.pcap_file.clear();
    }
    if ((cli.replay_speed || cli.loop) && cap.pcap_file.empty()) {
        conflict(cli.replay_speed ? "--replay-speed" : "--loop",
                 std::string(cli.replay_speed ? "--replay-speed" : "--loop") +
                     " only applies to a replay; add -r FILE (or set capture.pcap_file)");
    }
    if (cli.replay_speed) cap.replay_speed = *cli.replay_speed;
    if (cli.loop) cap.loop = *cli.loop;
    if (cli.workers) cfg.pipeline.workers = *cli.workers;
    if (cli.eve_path) cfg.output.eve_path = *cli.eve_path;
    if (cli.data_dir) {
        cfg.storage.data_dir = *cli.data_dir;
        cfg.storage.data_dir_from_cli = true;
    }
    if (cli.listen) {
        cfg.api.listen = *cli.listen;
        cfg.api.listen_from_cli = true;
    }
    if (cli.no_api) cfg.api.enabled = false;
    if (cli.verbosity > 0) {
        const std::string_view wanted = cli.verbosity >= 2 ? "debug" : "info";
        if (level_rank(wanted) > level_rank(cfg.log.level)) cfg.log.level = std::string(wanted);
    }

    // Whatever the file said, the merged result must still pass the cross-key checks.
    detail::cross_check(cfg, {}, sink);
    return sink.take();
}

LoadResult load_startup_config(const CliOptions& cli) {
    Config cfg;
    if (cli.config_explicit) {
        LoadResult loaded = load_config_file(cli.config_path);
        if (std::holds_alternative<ConfigErrors>(loaded)) return loaded;
        cfg = std::move(std::get<Config>(loaded));
    } else {
        struct stat st {};
        const bool missing = ::stat(cli.config_path.c_str(), &st) != 0 && errno == ENOENT;
        if (!missing) {
            LoadResult loaded = load_config_file(cli.config_path);
            if (std::holds_alternative<ConfigErrors>(loaded)) return loaded;
            cfg = std::move(std::get<Config>(loaded));
        }
    }
    ConfigErrors errors = apply_cli(cfg, cli);
    if (!errors.empty()) return errors;
    return cfg;
}

}  // namespace nms::config
