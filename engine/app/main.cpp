// netmonsec daemon entry point: parse the command line, load the configuration, run the
// engine until end of file or a signal. Exit 0 on success, 2 on a usage/config/permission
// error (with a message that names the fix).
#include <signal.h>

#include <cstdio>
#include <string>

#include "app/engine.hpp"
#include "app/fingerprints_command.hpp"
#include "app/passwd_command.hpp"
#include "app/privileges.hpp"
#include "capture/interfaces.hpp"
#include "common/log.hpp"
#include "config/cli.hpp"
#include "config/config_overrides.hpp"
#include "doctor/doctor.hpp"

namespace {

constexpr int kExitUsage = 2;

nms::log::Level parse_level(const std::string& s) {
    if (s == "error") return nms::log::Level::kError;
    if (s == "info") return nms::log::Level::kInfo;
    if (s == "debug") return nms::log::Level::kDebug;
    return nms::log::Level::kWarn;
}

// All threads inherit this mask; the main thread alone takes signals with sigtimedwait, so
// no handler ever runs on a capture or worker thread.
sigset_t block_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    return set;
}

int run(const nms::config::CliOptions& cli) {
    auto loaded = nms::config::load_startup_config(cli);
    if (auto* errs = std::get_if<nms::config::ConfigErrors>(&loaded)) {
        std::fputs(nms::config::to_string(*errs).c_str(), stderr);
        return kExitUsage;
    }
    auto cfg = std::get<nms::config::Config>(std::move(loaded));
    nms::log::set_level(parse_level(cfg.log.level));

    const sigset_t signals = block_signals();
    nms::app::Engine engine(cfg);
    if (auto err = engine.open()) {
        std::fprintf(stderr, "netmonsec: %s\n", err->c_str());
        return kExitUsage;
    }
    // Sockets are open and bound: nothing from here on needs a privilege but cap_net_admin
    // for live mitigation. Before start(): capabilities are per thread, so no thread may exist yet.
    if (auto err = nms::app::drop_privileges(cfg.process, engine.needs_net_admin())) {
        std::fprintf(stderr, "netmonsec: %s\n", err->c_str());
        return kExitUsage;
    }
    engine.start();
    nms::log::info("capture running (%s)", cfg.capture.pcap_file.empty() ? "live" : cfg.capture.pcap_file.c_str());

    bool stop = false;
    while (!stop && !engine.captures_finished()) {
        const timespec wait{0, 100'000'000};
        const int sig = sigtimedwait(&signals, nullptr, &wait);
        if (sig == SIGINT || sig == SIGTERM) {
            nms::log::info("signal %d: stopping", sig);
            stop = true;
        } else if (sig == SIGHUP) {
            auto fresh = nms::config::load_startup_config(cli);
            if (auto* errs = std::get_if<nms::config::ConfigErrors>(&fresh)) {
                nms::log::error("reload refused, keeping the running configuration:\n%s",
                                nms::config::to_string(*errs).c_str());
            } else {
                const auto& c = std::get<nms::config::Config>(fresh);
                nms::log::set_level(parse_level(c.log.level));
                engine.reload(c);
            }
        }
    }
    const auto s = engine.shutdown();
    std::fprintf(stderr,
                 "netmonsec: %llu packets, %llu bytes, %llu flows, %llu undecodable, %llu dropped in %.3f s%s%s\n",
                 static_cast<unsigned long long>(s.packets), static_cast<unsigned long long>(s.bytes),
                 static_cast<unsigned long long>(s.flows), static_cast<unsigned long long>(s.invalid),
                 static_cast<unsigned long long>(s.drops), s.seconds, s.capture_errors.empty() ? "" : "; ",
                 s.capture_errors.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    auto parsed = nms::config::parse_cli(argc, argv);
    if (auto* err = std::get_if<nms::config::CliError>(&parsed)) {
        std::fprintf(stderr, "%s\n", err->message.c_str());
        return kExitUsage;
    }
    const auto& cli = std::get<nms::config::CliOptions>(parsed);
    if (cli.show_help) {
        std::fputs(nms::config::usage_text().c_str(), stdout);
        return 0;
    }
    if (cli.show_version) {
        std::printf("netmonsec %s\n", NMS_VERSION);
        return 0;
    }
    if (cli.list_interfaces) {
        std::fputs(nms::capture::format_interfaces(nms::capture::list_interfaces()).c_str(), stdout);
        return 0;
    }
    if (cli.subcommand == "doctor") return nms::doctor::run(cli);
    if (cli.subcommand == "passwd") return nms::app::run_passwd();
    if (cli.subcommand == "fingerprints") return nms::app::run_fingerprints(cli);
    if (!cli.subcommand.empty()) {
        std::fprintf(stderr, "netmonsec: '%s' is not available in this build yet\n",
                     cli.demo ? "--demo" : cli.subcommand.c_str());
        return kExitUsage;
    }
    if (cli.demo) std::fputs("netmonsec: DEMO MODE \u2014 generated traffic, not a real network\n", stderr);
    return run(cli);
}
