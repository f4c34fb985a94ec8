#include "doctor/doctor.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <variant>

#include "config/config_overrides.hpp"
#include "doctor/checks.hpp"
#include "doctor/eve_stats_reader.hpp"
#include "doctor/report.hpp"
#include "doctor/system_probe.hpp"

namespace nms::doctor {
namespace {

constexpr const char* kUsage = "usage: netmonsec doctor [-c FILE] [-i IFACE]... [--eve FILE] [--json]";

Finding info(std::string id, std::string subject, std::string checked, std::string found,
             std::string advice) {
    return Finding{std::move(id),   std::move(subject), std::move(checked),
                   Severity::kInfo, std::move(found),   std::move(advice)};
}

}  // namespace

int run(const config::CliOptions& cli, const config::Config& cfg, const Environment& env, std::string& out,
        std::string& err) {
    bool json = false;
    for (const auto& word : cli.subcommand_args) {
        if (word == "--json" || word == "json") {
            json = true;
        } else {
            err = "netmonsec doctor: unexpected argument '" + word + "'; " + kUsage + "\n";
            return kExitUsage;
        }
    }
    SystemProbe probe(env.root, env.ethtool);
    const auto& ifaces = cfg.capture.interfaces;
    for (const auto& name : ifaces) {
        if (!probe.interface_exists(name)) {
            err = "netmonsec doctor: no interface '" + name +
                  "' on this host; list them with 'netmonsec --list'\n";
            return kExitUsage;
        }
    }

    ReportHeader header;
    header.config = cfg.path;
    header.interfaces = ifaces;
    Findings findings;
    const HostFacts host = probe.host();
    const ThreadPlan plan = plan_threads(cfg, host.online_cpus);

    if (!cfg.capture.pcap_file.empty()) {
        findings.push_back(
            info("config.interfaces", "config", "capture interfaces",
                 "the configuration replays " + cfg.capture.pcap_file + "; no live interface to check",
                 "Pass -i IFACE to inspect a capture interface."));
    } else if (ifaces.empty()) {
        findings.push_back(info("config.interfaces", "config", "capture interfaces",
                                "no capture interface configured",
                                "Pass -i IFACE (see 'netmonsec --list'), or set capture.interfaces."));
    }
    std::optional<int64_t> slowest;
    for (const auto& name : ifaces) {
        const InterfaceFacts nic = probe.interface(name);
        if (nic.speed_mbps) slowest = std::min(slowest.value_or(*nic.speed_mbps), *nic.speed_mbps);
        Findings f = check_interface(nic, cfg, plan, host);
        findings.insert(findings.end(), f.begin(), f.end());
    }
    Findings h = check_host(host, cfg, plan);
    findings.insert(findings.end(), h.begin(), h.end());

    const std::string& eve = cfg.output.eve_path;
    const std::string eve_check = "drop counters of a running engine (last EVE stats event)";
    if (eve.empty() || eve == "-") {
        findings.push_back(info("eve.stats", "engine", eve_check,
                                eve.empty() ? "no EVE file configured" : "EVE output goes to stdout",
                                "Pass --eve FILE (the running engine's output.eve_path) to have its drop "
                                "counters explained."));
    } else {
        EveReadResult r = read_last_stats_event(eve);
        if (!r.counters && cli.eve_path && r.error.starts_with("cannot open")) {
            err = "netmonsec doctor: " + r.error + "\n";
            return kExitUsage;
        }
        if (r.counters) {
            r.counters->origin = eve + ", " + r.counters->origin;
            header.eve = eve;
            Findings d = check_drops(*r.counters, cfg, slowest);
            findings.insert(findings.end(), d.begin(), d.end());
        } else {
            findings.push_back(
                info("eve.stats", "engine", eve_check, r.error,
                     "Run the engine with output.eve_stats = true for at least one stats interval, "
                     "then run the doctor again."));
        }
    }
    out = json ? render_json(header, findings) : render_text(header, findings);
    return kExitOk;
}

int run(const config::CliOptions& cli) {
    auto loaded = config::load_startup_config(cli);
    if (auto* errs = std::get_if<config::ConfigErrors>(&loaded)) {
        std::fputs(config::to_string(*errs).c_str(), stderr);
        return kExitUsage;
    }
    const auto& cfg = std::get<config::Config>(loaded);
    auto ethtool = make_ioctl_ethtool();
    std::string out, err;
    const int rc = run(cli, cfg, Environment{"/", ethtool.get()}, out, err);
    std::fputs(out.c_str(), stdout);
    std::fputs(err.c_str(), stderr);
    return rc;
}

}  // namespace nms::doctor
