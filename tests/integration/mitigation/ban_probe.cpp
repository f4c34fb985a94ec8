// Drives a real BanManager from stdin, one command per line, for the namespace test:
//   alert ID KIND SEVERITY SRC   an alert opens (as the AlertManager would report it)
//   list                         prints {"bans": [{"ip", "alert_id", "expires_in_s"}]}
//   revoke IP                    prints {"revoke": true|false, "error": ...}
//   quit                         stops the manager (deletes the table) and exits
// Every BanEvent is printed as its EVE line. Options: --table NAME --ban-seconds N
// --allow CIDR (repeatable) --protect CIDR (repeatable) --dry-run.
#include <cstdio>
#include <cstring>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>

#include "mitigate/ban_manager.hpp"
#include "mitigate/own_addresses.hpp"
#include "output/eve_format.hpp"

using namespace nms;

int main(int argc, char** argv) {
    config::MitigationConfig cfg;
    cfg.enabled = true;
    cfg.dry_run = false;
    cfg.ban_seconds = 3;
    cfg.max_bans_per_minute = 100;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const char* v = i + 1 < argc ? argv[i + 1] : "";
        if (a == "--table") cfg.table = v, ++i;
        else if (a == "--ban-seconds") cfg.ban_seconds = static_cast<uint32_t>(std::stoul(v)), ++i;
        else if (a == "--allow") cfg.allowlist.emplace_back(v), ++i;
        else if (a == "--protect") cfg.protected_networks.emplace_back(v), ++i;
        else if (a == "--dry-run") cfg.dry_run = true;
        else {
            std::fprintf(stderr, "unknown option %s\n", a.c_str());
            return 2;
        }
    }
    std::mutex out;
    auto say = [&](const std::string& line) {
        std::lock_guard l(out);
        std::fputs(line.c_str(), stdout);
        std::fputc('\n', stdout);
        std::fflush(stdout);
    };
    mitigate::BanManager bans(cfg, mitigate::own_addresses(), [&](const mitigate::BanEvent& ev) {
        std::string line;
        output::append_ban_event(line, ev);
        say(line);
    });
    if (auto err = bans.open()) {
        std::fprintf(stderr, "%s\n", err->c_str());
        return 1;
    }
    bans.start();
    say("{\"ready\": true}");
    std::string line;
    while (std::getline(std::cin, line)) {
        std::istringstream in(line);
        std::string cmd;
        in >> cmd;
        if (cmd == "alert") {
            detect::Alert a;
            std::string kind, sev, src;
            in >> a.id >> kind >> sev >> src;
            a.kind = detect::alert_kind_from_name(kind);
            a.severity = mitigate::severity_from_name(sev).value_or(detect::Severity::kInfo);
            const auto ip = IpAddr::parse(src);
            a.has_src = ip.has_value();
            if (ip) a.src = *ip;
            bans.on_alert(a, detect::AlertPhase::kOpened);
        } else if (cmd == "list") {
            std::string json = "{\"bans\": [";
            const TimestampNs now = wall_ns();
            bool first = true;
            for (const auto& b : bans.list()) {
                json += (first ? "" : ", ") + std::string("{\"ip\": \"") + b.ip.to_string() +
                        "\", \"alert_id\": " + std::to_string(b.alert_id) +
                        ", \"expires_in_s\": " + std::to_string(b.expires > now ? (b.expires - now) / kNsPerSec : 0) + "}";
                first = false;
            }
            say(json + "]}");
        } else if (cmd == "revoke") {
            std::string ip;
            in >> ip;
            std::string error;
            const auto addr = IpAddr::parse(ip);
            const bool ok = addr && bans.revoke(*addr, error);
            for (char& ch : error)
                if (ch == '"' || ch == '\\' || static_cast<unsigned char>(ch) < 0x20) ch = ' ';
            say(std::string("{\"revoke\": ") + (ok ? "true" : "false") + ", \"error\": \"" + error + "\"}");
        } else if (cmd == "quit") {
            break;
        }
    }
    bans.stop();
    say("{\"stopped\": true}");
    return 0;
}
