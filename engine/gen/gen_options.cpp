#include "gen/gen_options.hpp"

#include <cstdlib>

namespace nms::gen {
namespace {

struct KindName {
    AnomalyKind kind;
    const char* name;
    uint32_t default_param;
};

constexpr KindName kKinds[kAnomalyKinds] = {
    {AnomalyKind::kPortScan, "portscan", 1000},       // ports probed
    {AnomalyKind::kHostSweep, "hostsweep", 254},      // hosts pinged
    {AnomalyKind::kSynFlood, "synflood", 20000},      // spoofed SYNs
    {AnomalyKind::kDnsTunnel, "dnstunnel", 400},      // TXT queries in one flow
    {AnomalyKind::kNxdomainStorm, "nxdomain", 1000},  // failing lookups
    {AnomalyKind::kArpSpoof, "arpspoof", 60},         // forged replies for the gateway
    {AnomalyKind::kExfiltration, "exfil", 20},        // megabytes uploaded
    {AnomalyKind::kBruteForce, "bruteforce", 200},    // SSH login attempts
    {AnomalyKind::kLateralMovement, "lateral", 30},   // internal hosts contacted
};

}  // namespace

const char* anomaly_name(AnomalyKind kind) noexcept {
    for (const auto& k : kKinds)
        if (k.kind == kind) return k.name;
    return "?";
}

uint32_t anomaly_default_param(AnomalyKind kind) noexcept {
    for (const auto& k : kKinds)
        if (k.kind == kind) return k.default_param;
    return 1;
}

bool parse_anomaly(std::string_view text, AnomalySpec& out, std::string& error) {
    const size_t colon = text.find(':');
    const std::string_view name = text.substr(0, colon);
    for (const auto& k : kKinds) {
        if (name != k.name) continue;
        out.kind = k.kind;
        out.param = 0;
        if (colon != std::string_view::npos) {
            const std::string p(text.substr(colon + 1));
            char* end = nullptr;
            const unsigned long v = std::strtoul(p.c_str(), &end, 10);
            if (p.empty() || *end != '\0' || v == 0 || v > 100000000UL) {
                error = "anomaly '" + std::string(text) + "': the parameter must be a positive number";
                return false;
            }
            out.param = static_cast<uint32_t>(v);
        }
        return true;
    }
    error = "unknown anomaly '" + std::string(name) +
            "' (portscan, hostsweep, synflood, dnstunnel, nxdomain, arpspoof, exfil, bruteforce, lateral)";
    return false;
}

bool parse_mix(std::string_view text, Mix& out) noexcept {
    if (text == "l7") out = Mix::kL7;
    else if (text == "imix") out = Mix::kImix;
    else if (text == "64") out = Mix::k64;
    else return false;
    return true;
}

}  // namespace nms::gen
