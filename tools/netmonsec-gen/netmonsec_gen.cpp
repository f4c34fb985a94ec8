// netmonsec-gen: deterministic traffic generator. Writes a pcap, or sends on an interface
// the caller names. Same options + same --seed = byte-identical output.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

#include "common/time.hpp"
#include "gen/packet_sender.hpp"
#include "gen/pcap_writer.hpp"
#include "gen/traffic_generator.hpp"

namespace {

constexpr const char* kUsage =
    "usage: netmonsec-gen -w FILE.pcap [options]      write a capture ('-' = stdout)\n"
    "       netmonsec-gen -i IFACE --rate PPS [options]  send live on IFACE (needs CAP_NET_RAW)\n"
    "\n"
    "  --flows N          sessions in progress at once (default 1000)\n"
    "  --packets N        frames to make (default 100000; 0 = until --duration or Ctrl-C)\n"
    "  --duration S       seconds of traffic at --rate (sets --packets = S * rate)\n"
    "  --rate PPS         packets per second: pcap timestamps, or the live send rate (default 100000)\n"
    "  --mix l7|imix|64   l7: DNS/HTTP/TLS/QUIC/SSH/SMB2/DHCP/mDNS/ARP sessions (default);\n"
    "                     imix: TCP/UDP flows of 60/590/1514-byte frames 7:4:1; 64: minimum frames\n"
    "  --seed S           random seed (default 1)\n"
    "  --v6-share F       share of sessions over IPv6, 0..1 (default 0.1)\n"
    "  --hosts N          local hosts (default flows/4, 16..60000)\n"
    "  --anomaly KIND[:N] inject an anomaly (repeatable): portscan:PORTS hostsweep:HOSTS\n"
    "                     synflood:SYNS dnstunnel:QUERIES nxdomain:QUERIES arpspoof:REPLIES\n"
    "                     exfil:MEGABYTES bruteforce:ATTEMPTS lateral:HOSTS\n"
    "  --start EPOCH      timestamp of the first frame, seconds (default 1704067200)\n"
    "  -q                 no summary on stderr\n"
    "Addresses: 198.18.0.0/16 LAN, 198.19.0.0/16 internet, 2001:2::/48 (benchmarking ranges).\n";

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

bool parse_num(const char* s, double& out) {
    char* end = nullptr;
    out = std::strtod(s, &end);
    return end != s && *end == '\0' && out >= 0;
}

int usage_error(const std::string& msg) {
    std::fprintf(stderr, "netmonsec-gen: %s\n(see netmonsec-gen --help)\n", msg.c_str());
    return 2;
}

void summary(const nms::gen::TrafficGenerator& g, double secs, const char* what) {
    const auto& s = g.stats();
    std::fprintf(stderr, "netmonsec-gen: %s %llu packets, %llu bytes, %llu flows in %.2f s (%.0f packets/s)\n",
                 what, static_cast<unsigned long long>(s.packets), static_cast<unsigned long long>(s.bytes),
                 static_cast<unsigned long long>(s.flows), secs, secs > 0 ? static_cast<double>(s.packets) / secs : 0);
    std::fprintf(stderr, "  sessions:");
    for (int k = 0; k < nms::gen::kSessionKinds; ++k)
        if (s.sessions[k])
            std::fprintf(stderr, " %s=%llu", nms::gen::session_kind_name(static_cast<nms::gen::SessionKind>(k)),
                         static_cast<unsigned long long>(s.sessions[k]));
    std::fprintf(stderr, "\n");
    for (int k = 0; k < nms::gen::kAnomalyKinds; ++k)
        if (s.anomalies[k])
            std::fprintf(stderr, "  anomaly: %s x%llu\n", nms::gen::anomaly_name(static_cast<nms::gen::AnomalyKind>(k)),
                         static_cast<unsigned long long>(s.anomalies[k]));
}

}  // namespace

int main(int argc, char** argv) {
    nms::gen::GenOptions o;
    std::string out_path, iface;
    double duration = -1;
    bool rate_given = false, packets_given = false, quiet = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
        double v = 0;
        if (a == "-h" || a == "--help") {
            std::fputs(kUsage, stdout);
            return 0;
        } else if (a == "-q") {
            quiet = true;
        } else if (a == "-w" || a == "-i" || a == "--flows" || a == "--packets" || a == "--duration" ||
                   a == "--rate" || a == "--mix" || a == "--seed" || a == "--v6-share" || a == "--anomaly" ||
                   a == "--hosts" || a == "--start") {
            const char* val = value();
            if (!val) return usage_error(a + " needs a value");
            std::string err;
            if (a == "-w") out_path = val;
            else if (a == "-i") iface = val;
            else if (a == "--mix") {
                if (!nms::gen::parse_mix(val, o.mix)) return usage_error("--mix must be l7, imix or 64");
            } else if (a == "--anomaly") {
                nms::gen::AnomalySpec spec;
                if (!nms::gen::parse_anomaly(val, spec, err)) return usage_error(err);
                o.anomalies.push_back(spec);
            } else if (!parse_num(val, v)) {
                return usage_error(a + " needs a non-negative number, got '" + val + "'");
            } else if (a == "--flows") {
                if (v < 1 || v > 10000000) return usage_error("--flows must be 1..10000000");
                o.flows = static_cast<uint32_t>(v);
            } else if (a == "--packets") {
                o.packets = static_cast<uint64_t>(v);
                packets_given = true;
            } else if (a == "--duration") {
                duration = v;
            } else if (a == "--rate") {
                if (v <= 0) return usage_error("--rate must be above 0");
                o.rate = v;
                rate_given = true;
            } else if (a == "--seed") {
                o.seed = static_cast<uint64_t>(v);
            } else if (a == "--v6-share") {
                if (v > 1) return usage_error("--v6-share must be between 0 and 1");
                o.v6_share = v;
            } else if (a == "--hosts") {
                o.local_hosts = static_cast<uint32_t>(v);
            } else if (a == "--start") {
                o.start_ns = static_cast<uint64_t>(v) * nms::kNsPerSec;
            }
        } else {
            return usage_error("unknown argument '" + a + "'");
        }
    }
    if (out_path.empty() == iface.empty()) return usage_error("give exactly one of -w FILE or -i IFACE");
    if (duration >= 0) {
        if (packets_given) return usage_error("--packets and --duration cannot be used together");
        o.packets = static_cast<uint64_t>(duration * o.rate);
    }
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);

    nms::gen::TrafficGenerator gen(o);
    nms::gen::Frame f;
    const uint64_t t0 = nms::monotonic_ns();
    if (!out_path.empty()) {
        if (o.packets == 0) return usage_error("a capture file needs --packets N or --duration S");
        nms::gen::PcapWriter w;
        std::string err;
        if (!w.open(out_path, 65535, err)) return usage_error(err);
        while (!g_stop && gen.next(f))
            if (!w.write(f.data, f.len, f.ts_ns)) break;
        if (!w.close()) {
            std::fprintf(stderr, "netmonsec-gen: %s: %s\n", out_path.c_str(), w.error().c_str());
            return 1;
        }
        if (!quiet) summary(gen, static_cast<double>(nms::monotonic_ns() - t0) / 1e9, "wrote");
        return 0;
    }

    if (!rate_given) return usage_error("live sending needs an explicit --rate PPS");
    nms::gen::PacketSender sender;
    std::string err;
    if (!sender.open(iface, err)) {
        std::fprintf(stderr, "netmonsec-gen: %s\n", err.c_str());
        return 2;
    }
    // Paced in small batches: every wake-up sends what is due by the monotonic clock.
    uint64_t sent = 0;
    while (!g_stop) {
        const uint64_t now = nms::monotonic_ns();
        const auto due = static_cast<uint64_t>(static_cast<double>(now - t0) * o.rate / 1e9);
        if (due <= sent) {
            const timespec ts{0, 200000};
            nanosleep(&ts, nullptr);
            continue;
        }
        bool more = true;
        const uint64_t wall = nms::wall_ns();
        for (uint64_t n = std::min<uint64_t>(due - sent, 4096); n > 0; --n, ++sent) {
            if (!gen.next_at(wall, f)) {
                more = false;
                break;
            }
            if (!sender.add(f.data, f.len)) break;
        }
        if (!sender.flush() || !sender.error().empty()) {
            std::fprintf(stderr, "netmonsec-gen: %s\n", sender.error().c_str());
            return 1;
        }
        if (!more) break;
    }
    sender.flush();
    if (!quiet) {
        summary(gen, static_cast<double>(nms::monotonic_ns() - t0) / 1e9, "sent");
        std::fprintf(stderr, "  on %s: %llu sent, %llu dropped (device queue full)\n", iface.c_str(),
                     static_cast<unsigned long long>(sender.sent()), static_cast<unsigned long long>(sender.dropped()));
    }
    return 0;
}
