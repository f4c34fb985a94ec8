#pragma once
// `netmonsec doctor [-i IFACE] [--eve FILE] [--json]`: inspects what decides capture loss on
// this host (NIC queues/RSS, offloads, IRQ affinity, ring vs link speed, sysctls, MTU vs
// snaplen, CPUs vs threads) and, given an EVE file, explains the engine's drop counters.
// Exit 0 when it ran (findings never change it), 2 on a usage error.
#include <string>

#include "config/cli.hpp"
#include "config/config.hpp"
#include "doctor/ethtool_query.hpp"

namespace nms::doctor {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 2;

struct Environment {
    std::string root = "/";           // /sys and /proc are read under this prefix
    EthtoolQuery* ethtool = nullptr;  // null: no SIOCETHTOOL facts
};

// The whole subcommand with a loaded configuration; writes the report to `out` and usage
// errors to `err`. Tests call this with a fake tree and a fake EthtoolQuery.
int run(const config::CliOptions& cli, const config::Config& cfg, const Environment& env, std::string& out,
        std::string& err);

// What main() calls: loads the configuration like the daemon does, probes the real system,
// prints to stdout/stderr.
int run(const config::CliOptions& cli);

}  // namespace nms::doctor
