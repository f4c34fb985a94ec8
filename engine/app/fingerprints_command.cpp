#include "app/fingerprints_command.hpp"

#include <cstdio>
#include <string>

#include "config/config_overrides.hpp"
#include "devices/device_table.hpp"
#include "devices/site_fingerprints.hpp"

namespace nms::app {
namespace {
constexpr int kExitUsage = 2;
}

int run_fingerprints(const config::CliOptions& cli) {
    const std::string mode = cli.subcommand_args.empty() ? "list" : cli.subcommand_args[0];
    if (cli.subcommand_args.size() > 1 || (mode != "list" && mode != "p0f")) {
        std::fputs("netmonsec: usage: netmonsec fingerprints [list|p0f]; see 'netmonsec --help'\n", stderr);
        return kExitUsage;
    }
    auto loaded = config::load_startup_config(cli);
    if (auto* errs = std::get_if<config::ConfigErrors>(&loaded)) {
        std::fputs(config::to_string(*errs).c_str(), stderr);
        return kExitUsage;
    }
    const std::string dir = std::get<config::Config>(loaded).storage.data_dir;
    const std::string site_fp = dir + "/site.fp";
    const auto tcp = devices::read_site_file(site_fp);
    if (mode == "p0f") {
        // Always a valid p0f database, even with no entry yet, so it can be fed to p0f blindly.
        std::fputs(devices::site_file_text(tcp).c_str(), stdout);
        return 0;
    }
    const std::string tsv = dir + "/" + std::string(devices::SiteFingerprints::kFileName);
    devices::SiteFingerprints fps;
    const long n = fps.load_file(tsv);
    std::printf("# site fingerprints in %s: %zu TCP (site.fp), %ld JA4/DHCP (%s)\n", dir.c_str(), tcp.size(),
                n < 0 ? 0 : n, std::string(devices::SiteFingerprints::kFileName).c_str());
    std::printf("# kind\tfingerprint\tos\tevidence\n");
    for (const auto& s : tcp)
        std::printf("%s\t%s\t%s\t%s\n", s.response ? "tcp_synack" : "tcp_syn", s.sig.c_str(), s.label.c_str(),
                    s.evidence.c_str());
    std::string text;
    if (std::FILE* f = std::fopen(tsv.c_str(), "r")) {
        char buf[4096];
        size_t got = 0;
        while ((got = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, got);
        std::fclose(f);
    }
    for (const auto& f : devices::SiteFingerprints::parse(text))
        if (fps.find(f.kind, f.fingerprint))  // contradicted lines are not in force: not listed
            std::printf("%s\t%s\t%s:%s\t%s\n", f.kind.c_str(), f.fingerprint.c_str(), f.os_class.c_str(), f.os.c_str(),
                        f.evidence.c_str());
    if (fps.malformed()) std::fprintf(stderr, "netmonsec: %zu malformed line(s) in %s skipped\n", fps.malformed(), tsv.c_str());
    return 0;
}

}  // namespace nms::app
