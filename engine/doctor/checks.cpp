#include "doctor/checks.hpp"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <set>

namespace nms::doctor {
namespace {

constexpr uint32_t kIffPromisc = 0x100;
constexpr uint32_t kArphrdLoopback = 772;
constexpr double kRingTargetMs = 200;  // what we recommend sizing the ring for
constexpr double kRingWarnMs = 100;
constexpr double kRingProblemMs = 25;
constexpr uint64_t kRmemGood = 16u << 20;
constexpr uint64_t kBacklogGood = 10000;

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, f);
    std::vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return buf;
}

std::string u64(uint64_t v) {
    return std::to_string(v);
}

std::string bytes_text(uint64_t b) {
    if (b >= (1u << 30) && b % (1u << 30) == 0) return u64(b >> 30) + " GiB";
    if (b >= (1u << 20)) return fmt("%.0f MiB", static_cast<double>(b) / (1u << 20));
    if (b >= (1u << 10)) return fmt("%.0f KiB", static_cast<double>(b) / (1u << 10));
    return u64(b) + " B";
}

std::string speed_text(int64_t mbps) {
    if (mbps >= 1000 && mbps % 1000 == 0) return std::to_string(mbps / 1000) + " Gb/s";
    return std::to_string(mbps) + " Mb/s";
}

double percent(uint64_t part, uint64_t whole) {
    return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

Finding make(std::string id, std::string subject, std::string checked, Severity sev, std::string found,
             std::string advice = {}) {
    return Finding{std::move(id), std::move(subject), std::move(checked),
                   sev,           std::move(found),   std::move(advice)};
}

bool is_loopback(const InterfaceFacts& nic) {
    return nic.type && *nic.type == kArphrdLoopback;
}

uint64_t ring_bytes(const config::Config& cfg) {
    return uint64_t{cfg.capture.block_size} * cfg.capture.block_count;
}

bool afpacket(const config::Config& cfg) {
    return cfg.capture.method == config::CaptureMethod::kAfPacket;
}

std::string cpus_text(const std::vector<int>& cpus) {
    std::vector<int> pinned;
    for (int c : cpus) {
        if (c >= 0) pinned.push_back(c);
    }
    return pinned.empty() ? "none" : format_cpu_list(pinned);
}

void check_link(Findings& out, const InterfaceFacts& nic) {
    const std::string checked = "link state (carrier, operstate, speed)";
    std::string found = "carrier " +
                        std::string(!nic.carrier   ? "unknown"
                                    : *nic.carrier ? "up"
                                                   : "down") +
                        ", operstate " + (nic.operstate.empty() ? "unknown" : nic.operstate) + ", speed " +
                        (nic.speed_mbps ? speed_text(*nic.speed_mbps) : "unknown");
    if ((nic.carrier && !*nic.carrier) || nic.operstate == "down") {
        out.push_back(make("link.carrier", nic.name, checked, Severity::kProblem, found,
                           "The link is down: nothing will be captured. Check the cable/SPAN session, then "
                           "'ip link set " +
                               nic.name + " up'."));
        return;
    }
    out.push_back(make("link.carrier", nic.name, checked, Severity::kOk, found));
}

void check_driver(Findings& out, const InterfaceFacts& nic) {
    const std::string checked = "driver and device";
    if (nic.device.empty()) {
        out.push_back(
            make("nic.driver", nic.name, checked, Severity::kInfo,
                 "virtual interface (no device)" + (nic.driver.empty() ? "" : ", driver " + nic.driver),
                 "NIC queues, interrupts and line rate do not apply; the host's CPU and the "
                 "capture ring decide loss here."));
        return;
    }
    out.push_back(make(
        "nic.driver", nic.name, checked, Severity::kOk,
        "driver " + (nic.driver.empty() ? std::string("unknown") : nic.driver) + ", device " + nic.device));
}

void check_promisc(Findings& out, const InterfaceFacts& nic, const config::Config& cfg) {
    const std::string checked = "promiscuous mode";
    if (is_loopback(nic)) {
        out.push_back(
            make("nic.promisc", nic.name, checked, Severity::kOk, "loopback: every packet is local"));
        return;
    }
    const bool on = nic.flags && (*nic.flags & kIffPromisc) != 0;
    std::string found = std::string("interface is ") + (on ? "promiscuous" : "not promiscuous") +
                        ", capture.promiscuous = " + (cfg.capture.promiscuous ? "true" : "false");
    if (cfg.capture.promiscuous) {
        out.push_back(make("nic.promisc", nic.name, checked, Severity::kOk,
                           found + (on ? "" : " (the engine turns it on while it captures)")));
    } else if (!on) {
        out.push_back(
            make("nic.promisc", nic.name, checked, Severity::kWarn, found,
                 "Only frames addressed to this host (and broadcast/multicast) reach the capture. On "
                 "a SPAN/TAP port set capture.promiscuous = true."));
    } else {
        out.push_back(
            make("nic.promisc", nic.name, checked, Severity::kOk, found + " (set by someone else)"));
    }
}

void check_snaplen(Findings& out, const InterfaceFacts& nic, const config::Config& cfg) {
    const std::string checked = "interface MTU vs capture.snaplen";
    if (!nic.mtu) {
        out.push_back(make("mtu.snaplen", nic.name, checked, Severity::kInfo, "MTU unreadable"));
        return;
    }
    // Largest frame on the wire: L3 MTU + Ethernet header + one VLAN tag.
    const uint64_t frame = uint64_t{*nic.mtu} + 14 + (is_loopback(nic) ? 0 : 4);
    const uint32_t snap = cfg.capture.snaplen;
    std::string found =
        fmt("MTU %u: frames up to %" PRIu64 " bytes; capture.snaplen = %u", *nic.mtu, frame, snap);
    if (frame <= snap) {
        out.push_back(make("mtu.snaplen", nic.name, checked, Severity::kOk, found));
        return;
    }
    const uint64_t want = std::min<uint64_t>((frame + 63) / 64 * 64, 262144);
    out.push_back(
        make("mtu.snaplen", nic.name, checked, Severity::kWarn, found,
             fmt("Frames longer than snaplen are cut (counted as 'truncated'): payload past %u bytes "
                 "is lost to DPI and decoders report truncated headers. Set capture.snaplen = %" PRIu64
                 " if such frames occur (jumbo frames, or a VM/loopback link with a large MTU); "
                 "every slab slot and ring byte scales with it.",
                 snap, want)));
}

void check_ring(Findings& out, const InterfaceFacts& nic, const config::Config& cfg) {
    const std::string checked = "capture ring (block_size x block_count) vs link speed";
    const uint64_t ring = ring_bytes(cfg);
    const uint32_t members = afpacket(cfg) ? std::max<uint32_t>(1, cfg.capture.threads_per_interface) : 1;
    std::string found =
        fmt("ring %s per capture thread (%u x %s), %u thread(s) on this interface = %s",
            bytes_text(ring).c_str(), cfg.capture.block_count, bytes_text(cfg.capture.block_size).c_str(),
            members, bytes_text(ring * members).c_str());
    if (!nic.speed_mbps) {
        out.push_back(make(
            "ring.size", nic.name, checked, Severity::kInfo,
            found + fmt("; link speed unknown. At line rate the rings would hold %.0f ms at "
                        "1 Gb/s, %.0f ms at 10 Gb/s",
                        ring_milliseconds(ring * members, 1000), ring_milliseconds(ring * members, 10000)),
            "Size the ring for ~200 ms of the busiest expected rate (see the numbers above)."));
        return;
    }
    // Fanout splits the traffic, so the rings together absorb `members` times one ring.
    const double ms = ring_milliseconds(ring * members, *nic.speed_mbps);
    found += fmt("; at %s line rate that is %.0f ms of traffic", speed_text(*nic.speed_mbps).c_str(), ms);
    if (ms >= kRingWarnMs) {
        out.push_back(make("ring.size", nic.name, checked, Severity::kOk, found));
        return;
    }
    const double need_bytes = kRingTargetMs / 1000.0 * static_cast<double>(*nic.speed_mbps) * 1e6 / 8.0;
    const auto count = static_cast<uint64_t>(
        std::ceil(need_bytes / static_cast<double>(members) / static_cast<double>(cfg.capture.block_size)));
    const uint64_t new_count = std::clamp<uint64_t>(count, 2, 65536);
    out.push_back(make(
        "ring.size", nic.name, checked, ms < kRingProblemMs ? Severity::kProblem : Severity::kWarn, found,
        fmt("A burst longer than the ring can hold while the capture thread is descheduled or busy is "
            "dropped by "
            "the kernel (kernel_drops). Set capture.block_count = %" PRIu64
            " (%s per thread, ~%.0f ms at line "
            "rate), or spread the load with more capture.threads_per_interface.",
            new_count, bytes_text(new_count * cfg.capture.block_size).c_str(), kRingTargetMs)));
}

void check_queues(Findings& out, const InterfaceFacts& nic, const config::Config& cfg,
                  const HostFacts& host) {
    const std::string checked = "NIC receive queues, channels and RSS";
    if (nic.device.empty() && !nic.channels) return;  // virtual: already said in nic.driver
    std::string found = fmt("%u rx queue(s) in sysfs", nic.rx_queues);
    std::vector<std::string> advice;
    Severity sev = Severity::kOk;
    const uint32_t members = afpacket(cfg) ? std::max<uint32_t>(1, cfg.capture.threads_per_interface) : 1;
    if (nic.channels) {
        const Channels& c = *nic.channels;
        found += fmt("; channels: combined %u/%u, rx %u/%u (current/max)", c.combined, c.max_combined, c.rx,
                     c.max_rx);
        const uint32_t cur = c.combined + c.rx;
        const uint32_t max = std::max(c.max_combined, c.max_rx);
        const auto cpus = static_cast<uint32_t>(std::max<size_t>(1, host.online_cpus.size()));
        if (cur < max && cur < cpus) {
            const uint32_t want = std::min(max, cpus);
            sev = std::max(sev, Severity::kInfo);
            advice.push_back(
                fmt("The NIC can use %u queues but uses %u: 'ethtool -L %s combined %u' spreads "
                    "interrupt work over more CPUs.",
                    max, cur, nic.name.c_str(), want));
        }
    } else {
        found += "; channels unreadable (ETHTOOL_GCHANNELS not supported)";
    }
    const uint32_t queues =
        nic.channels ? std::max(nic.rx_queues, nic.channels->combined + nic.channels->rx) : nic.rx_queues;
    if (nic.rss && !nic.rss->empty()) {
        const std::set<uint32_t> used(nic.rss->begin(), nic.rss->end());
        found += fmt("; RSS table of %zu entries spreads over %zu queue(s)", nic.rss->size(), used.size());
        if (queues > 1 && used.size() < queues) {
            sev = std::max(sev, Severity::kWarn);
            advice.push_back(
                fmt("RSS feeds only %zu of %u queues, so the others' CPUs idle while these overflow: "
                    "'ethtool -X %s equal %u'.",
                    used.size(), queues, nic.name.c_str(), queues));
        }
    }
    if (queues > 1 && members == 1) {
        sev = std::max(sev, Severity::kInfo);
        advice.push_back(
            fmt("%u queues feed one capture thread. If it runs out of CPU (kernel_drops with a busy "
                "capture thread), set capture.threads_per_interface = %u: AF_PACKET fanout (hash) "
                "splits the traffic by flow over that many sockets and threads.",
                queues, std::min<uint32_t>(queues, 4)));
    }
    std::string joined;
    for (const auto& a : advice) joined += (joined.empty() ? "" : " ") + a;
    out.push_back(make("nic.queues", nic.name, checked, sev, found, joined));
}

void check_irqs(Findings& out, const InterfaceFacts& nic, const ThreadPlan& plan, const HostFacts& host) {
    const std::string checked = "IRQ affinity of the NIC's queues vs the capture/worker CPUs";
    if (nic.device.empty()) return;
    if (nic.irqs.empty()) {
        out.push_back(make("irq.affinity", nic.name, checked, Severity::kInfo,
                           "no interrupt lines found for " + nic.name + " in /proc/interrupts"));
        return;
    }
    const std::set<int> cap(plan.capture_cpus.begin(), plan.capture_cpus.end());
    const std::set<int> work(plan.worker_cpus.begin(), plan.worker_cpus.end());
    std::string found = fmt("%zu IRQ(s):", nic.irqs.size());
    std::vector<const IrqInfo*> on_capture, on_worker;
    for (const auto& irq : nic.irqs) {
        found += fmt(" %u (%s) -> CPU %s;", irq.irq, irq.name.c_str(),
                     irq.cpus.empty() ? "?" : format_cpu_list(irq.cpus).c_str());
        bool c = false, w = false;
        for (int cpu : irq.cpus) {
            c = c || cap.count(cpu) != 0;
            w = w || work.count(cpu) != 0;
        }
        if (c)
            on_capture.push_back(&irq);
        else if (w)
            on_worker.push_back(&irq);
    }
    found.pop_back();
    found += "; capture threads on CPU " + cpus_text(plan.capture_cpus) + ", workers on CPU " +
             cpus_text(plan.worker_cpus) + (plan.auto_pinned ? " (automatic plan)" : "");
    if (cpus_text(plan.capture_cpus) == "none") {
        out.push_back(make("irq.affinity", nic.name, checked, Severity::kInfo, found,
                           "Capture threads are not pinned, so the scheduler may put them on the CPUs that "
                           "service these interrupts. Pin them with capture.cpus to CPUs outside the IRQs' "
                           "affinity."));
        return;
    }
    if (on_capture.empty() && on_worker.empty()) {
        out.push_back(make("irq.affinity", nic.name, checked, Severity::kOk, found));
        return;
    }
    std::vector<int> spare;
    for (int cpu : host.online_cpus) {
        if (cap.count(cpu) == 0 && work.count(cpu) == 0) spare.push_back(cpu);
    }
    std::string target = !spare.empty() ? format_cpu_list(spare) : cpus_text(plan.worker_cpus);
    if (target == "none") target = "<other CPUs>";
    std::string cmds;
    for (const auto* irq : on_capture.empty() ? on_worker : on_capture)
        cmds += fmt("%secho %s > /proc/irq/%u/smp_affinity_list", cmds.empty() ? "" : "; ", target.c_str(),
                    irq->irq);
    if (!on_capture.empty()) {
        out.push_back(
            make("irq.affinity", nic.name, checked, Severity::kWarn, found,
                 fmt("%zu NIC interrupt(s) can run on a capture CPU: the softirq that fills the ring "
                     "then competes with the thread that drains it, a classic cause of kernel_drops. "
                     "Move them to %s CPUs: %s (stop irqbalance or ban these IRQs, or it moves them "
                     "back).",
                     on_capture.size(), spare.empty() ? "the worker" : "spare", cmds.c_str())));
    } else {
        out.push_back(make("irq.affinity", nic.name, checked, Severity::kInfo, found,
                           fmt("%zu NIC interrupt(s) share CPUs with workers; fine unless workers drop "
                               "(ring_full_drops). %s",
                               on_worker.size(), spare.empty() ? "" : ("Spare CPUs: " + cmds).c_str())));
    }
}

void check_offloads(Findings& out, const InterfaceFacts& nic) {
    const std::string checked = "receive offloads (GRO, LRO, hardware GRO)";
    if (!nic.offloads) {
        out.push_back(make("offload.gro", nic.name, checked, Severity::kInfo,
                           "offload settings unreadable (SIOCETHTOOL not answered)",
                           "Check with 'ethtool -k " + nic.name + "'."));
        return;
    }
    const Offloads& o = *nic.offloads;
    const auto state = [](const std::optional<bool>& v) { return !v ? "unknown" : *v ? "on" : "off"; };
    std::string found =
        std::string("GRO ") + state(o.gro) + ", LRO " + state(o.lro) + ", hardware GRO " + state(o.gro_hw);
    const bool merging = o.gro.value_or(false) || o.lro.value_or(false) || o.gro_hw.value_or(false);
    if (!merging) {
        out.push_back(make("offload.gro", nic.name, checked, Severity::kOk, found));
    } else if (is_loopback(nic)) {
        out.push_back(make("offload.gro", nic.name, checked, Severity::kInfo, found,
                           "Loopback traffic does not pass through GRO; nothing to change here."));
    } else {
        std::string cmd = "ethtool -K " + nic.name + " gro off lro off";
        if (o.gro_hw.value_or(false)) cmd += " rx-gro-hw off";
        out.push_back(
            make("offload.gro", nic.name, checked, Severity::kWarn, found,
                 "GRO/LRO merge TCP segments before AF_PACKET sees them, so the monitor sees fewer, "
                 "larger 'packets' than the wire (packet counts, sizes and TCP analysis will not "
                 "match, and merged packets exceed snaplen). Turn them off on a monitoring port: " +
                     cmd));
    }

    std::string tx = std::string("TSO ") + state(o.tso) + ", GSO " + state(o.gso);
    if (o.tso.value_or(false) || o.gso.value_or(false)) {
        out.push_back(
            make("offload.tso", nic.name, "transmit offloads (TSO, GSO)", Severity::kInfo, tx,
                 "These only affect packets this host sends: the capture sees them before "
                 "segmentation, as super-packets up to 64 KiB. Harmless on a dedicated SPAN port; if "
                 "you monitor the host's own traffic: ethtool -K " +
                     nic.name + " tso off gso off"));
    } else {
        out.push_back(make("offload.tso", nic.name, "transmit offloads (TSO, GSO)", Severity::kOk, tx));
    }
    if (o.rx_vlan) {
        out.push_back(make("offload.rx_vlan", nic.name, "receive VLAN offload (rx-vlan-hw-parse)",
                           Severity::kOk,
                           std::string("rx-vlan-offload ") + state(o.rx_vlan) +
                               (*o.rx_vlan ? " (the NIC strips VLAN tags; the engine restores them from "
                                             "the packet metadata, so flows keep their VLAN)"
                                           : "")));
    }
}

}  // namespace

double ring_milliseconds(uint64_t ring_bytes, int64_t speed_mbps) {
    if (speed_mbps <= 0) return 0;
    return static_cast<double>(ring_bytes) * 8.0 / (static_cast<double>(speed_mbps) * 1e6) * 1000.0;
}

Findings check_interface(const InterfaceFacts& nic, const config::Config& cfg, const ThreadPlan& plan,
                         const HostFacts& host) {
    Findings out;
    check_link(out, nic);
    check_driver(out, nic);
    check_promisc(out, nic, cfg);
    check_snaplen(out, nic, cfg);
    check_ring(out, nic, cfg);
    check_queues(out, nic, cfg, host);
    check_irqs(out, nic, plan, host);
    check_offloads(out, nic);
    return out;
}

Findings check_host(const HostFacts& host, const config::Config& cfg, const ThreadPlan& plan) {
    Findings out;
    const std::string h = "host";
    if (host.can_capture) {
        if (*host.can_capture) {
            out.push_back(make("host.privileges", h, "capture privileges (CAP_NET_RAW)", Severity::kOk,
                               "CAP_NET_RAW is in the effective set"));
        } else {
            out.push_back(make("host.privileges", h, "capture privileges (CAP_NET_RAW)", Severity::kProblem,
                               "CAP_NET_RAW is missing: live capture will be refused",
                               "Run as root, or grant the binary the capabilities: "
                               "setcap cap_net_raw,cap_net_admin+ep netmonsec"));
        }
    }

    // CPUs vs busy threads (capture + workers; stats/output/API threads are light).
    const auto ncpu = static_cast<uint32_t>(host.online_cpus.size());
    const uint32_t busy = plan.capture_threads + plan.workers;
    std::string found =
        fmt("%u CPU(s) online (%s); %u capture thread(s) (%u interface(s) x "
            "threads_per_interface %u) + %u worker(s)%s = %u busy threads",
            ncpu, format_cpu_list(host.online_cpus).c_str(), plan.capture_threads, plan.interfaces,
            std::max<uint32_t>(1, cfg.capture.threads_per_interface), plan.workers,
            plan.workers_auto ? " (automatic)" : "", busy);
    std::vector<int> bad;
    for (int c : plan.capture_cpus) {
        if (c >= 0 && !std::binary_search(host.online_cpus.begin(), host.online_cpus.end(), c))
            bad.push_back(c);
    }
    for (int c : plan.worker_cpus) {
        if (c >= 0 && !std::binary_search(host.online_cpus.begin(), host.online_cpus.end(), c))
            bad.push_back(c);
    }
    const std::string cpu_check = "CPU count vs capture threads + workers";
    if (ncpu == 0) {
        out.push_back(make("host.cpus", h, cpu_check, Severity::kInfo, "online CPUs unreadable"));
    } else if (!bad.empty()) {
        out.push_back(make("host.cpus", h, cpu_check, Severity::kProblem,
                           found + "; configured CPU(s) " + format_cpu_list(bad) + " are not online",
                           "Fix capture.cpus / pipeline.worker_cpus: the engine cannot pin a thread to a CPU "
                           "that does not exist."));
    } else if (busy > ncpu) {
        const uint32_t fit = ncpu > plan.capture_threads ? ncpu - plan.capture_threads : 1;
        out.push_back(
            make("host.cpus", h, cpu_check, Severity::kWarn, found,
                 fmt("More busy threads than CPUs: they time-share, and a descheduled capture thread "
                     "lets its ring fill. Set pipeline.workers = %u (or 0 for automatic), or fewer "
                     "capture.threads_per_interface.",
                     fit)));
    } else {
        out.push_back(make("host.cpus", h, cpu_check, Severity::kOk, found));
    }

    if (host.rmem_max) {
        const std::string checked = "net.core.rmem_max / rmem_default (socket receive buffer limits)";
        std::string f = "rmem_max " + bytes_text(*host.rmem_max) +
                        (host.rmem_default ? ", rmem_default " + bytes_text(*host.rmem_default) : "");
        if (*host.rmem_max >= kRmemGood) {
            out.push_back(make("host.rmem", h, checked, Severity::kOk, f));
        } else {
            out.push_back(
                make("host.rmem", h, checked, Severity::kInfo, f,
                     "netmonsec's mmap rings (capture.method afpacket and pcap alike) do not use the "
                     "socket receive buffer, so this does not limit capture; it does limit tools "
                     "that read packets with recvfrom(). Raising it is harmless: "
                     "sysctl -w net.core.rmem_max=33554432"));
        }
    }
    if (host.netdev_max_backlog) {
        const std::string checked = "net.core.netdev_max_backlog and softnet drops (/proc/net/softnet_stat)";
        std::string f = "netdev_max_backlog " + u64(*host.netdev_max_backlog);
        if (host.softnet_dropped) f += fmt(", softnet drops %" PRIu64, *host.softnet_dropped);
        if (host.softnet_squeezed) f += fmt(", budget squeezes %" PRIu64, *host.softnet_squeezed);
        if (host.netdev_budget) f += ", netdev_budget " + u64(*host.netdev_budget);
        Severity sev = Severity::kOk;
        std::string advice;
        if (host.softnet_dropped.value_or(0) > 0) {
            sev = Severity::kWarn;
            advice =
                "The kernel dropped packets from the per-CPU input backlog before any socket saw them "
                "(they never reach kernel_drops). Raise it: sysctl -w net.core.netdev_max_backlog=250000. ";
        } else if (*host.netdev_max_backlog < kBacklogGood) {
            sev = Severity::kInfo;
            advice =
                "The per-CPU backlog (used with RPS, veth, tunnels and loopback) is small for bursts at "
                "10 Gb/s and above: sysctl -w net.core.netdev_max_backlog=250000. ";
        }
        if (host.softnet_squeezed.value_or(0) > 0) {
            sev = std::max(sev, Severity::kInfo);
            advice +=
                "The softirq ran out of budget with packets left (squeezes); if this grows while "
                "capturing: sysctl -w net.core.netdev_budget=600.";
        }
        while (!advice.empty() && advice.back() == ' ') advice.pop_back();
        out.push_back(make("host.backlog", h, checked, sev, f, advice));
    }
    return out;
}

std::string explain_decode_event(const std::string& name) {
    if (name == "unknown_ethertype")
        return "non-IP Layer 2 traffic (LLDP, STP, LACP, ...): normal on most links, nothing to change";
    if (name == "unknown_link_type") return "the capture's link type is not supported by the decoder";
    if (name == "too_many_layers") return "more nested VLAN/MPLS/tunnel layers than the decoder follows";
    if (name == "zero_length") return "empty frames from the capture source";
    if (name == "gre_unsupported") return "GRE versions/flags the decoder does not unwrap (e.g. PPTP GRE)";
    if (name == "mpls_unknown_payload") return "MPLS payload that is neither IPv4, IPv6 nor Ethernet";
    if (name == "tunnel_inner_invalid") return "a tunnel whose inner packet does not decode";
    if (name == "ip_payload_truncated")
        return "the frame is shorter than the IP header says: snaplen too small, or GRO/TSO super-packets";
    if (name.ends_with("_truncated"))
        return "a header cut short: capture.snaplen too small, or frames already truncated on the wire/in "
               "the "
               "pcap";
    if (name.find("bad") != std::string::npos || name.find("invalid") != std::string::npos)
        return "malformed or non-standard headers: corrupt frames, or crafted/scan traffic";
    return "packets this decoder could not parse";
}

Findings check_drops(const DropCounters& c, const config::Config& cfg, std::optional<int64_t> speed_mbps) {
    Findings out;
    const std::string e = "engine";
    const std::string origin = " (" + c.origin + fmt(", uptime %" PRIu64 " s)", c.uptime_s);
    const uint64_t ring = ring_bytes(cfg);

    if (c.kernel_drops > 0) {
        const double pct = percent(c.kernel_drops, c.kernel_packets);
        std::string f = fmt("kernel_drops %" PRIu64 " of %" PRIu64 " packets (%.3f%%)", c.kernel_drops,
                            c.kernel_packets, pct);
        for (const auto& s : c.sources) {
            if (s.kernel_drops > 0) f += fmt("; %s: %" PRIu64, s.name.c_str(), s.kernel_drops);
        }
        const uint32_t members = afpacket(cfg) ? std::max<uint32_t>(1, cfg.capture.threads_per_interface) : 1;
        std::string ring_note =
            fmt("capture ring %s per thread x %u fanout thread(s)", bytes_text(ring).c_str(), members);
        if (speed_mbps)
            ring_note += fmt(" = %.0f ms at %s", ring_milliseconds(ring * members, *speed_mbps),
                             speed_text(*speed_mbps).c_str());
        out.push_back(make("drops.kernel", e, "kernel ring drops (PACKET_STATISTICS)",
                           pct >= 1.0 ? Severity::kProblem : Severity::kWarn, f + origin,
                           "The kernel found the capture ring full. Causes, most likely first: the ring is "
                           "too small for the "
                           "bursts (" +
                               ring_note +
                               ": raise capture.block_count); the capture thread is too slow or shares "
                               "its CPU (raise capture.threads_per_interface for fanout, pin with "
                               "capture.cpus); NIC interrupts run "
                               "on the capture CPU (see the irq.affinity finding)."));
    }
    if (c.ring_full_drops > 0) {
        std::string f = fmt("ring_full_drops %" PRIu64 " (capture -> worker rings full)", c.ring_full_drops);
        for (const auto& s : c.sources) {
            if (s.ring_full_drops > 0) f += fmt("; %s: %" PRIu64, s.name.c_str(), s.ring_full_drops);
        }
        out.push_back(make(
            "drops.ring_full", e, "capture -> worker ring drops", Severity::kWarn, f + origin,
            fmt("Workers do not keep up, so the capture thread drops rather than waits. Add workers "
                "(pipeline.workers = %u now, 0 = one per spare CPU), and give bursts more room: "
                "pipeline.ring_size "
                "(%u packets) and pipeline.ring_bytes (%s) per ring.",
                cfg.pipeline.workers, cfg.pipeline.ring_size, bytes_text(cfg.pipeline.ring_bytes).c_str())));
    }
    uint64_t truncated = 0, bad = 0;
    for (const auto& s : c.sources) {
        truncated += s.truncated;
        bad += s.bad_records;
    }
    if (truncated > 0) {
        out.push_back(
            make("drops.truncated", e, "frames truncated to capture.snaplen", Severity::kWarn,
                 fmt("truncated %" PRIu64 " frame(s), capture.snaplen = %u", truncated, cfg.capture.snaplen) +
                     origin,
                 "Frames longer than snaplen lose their tail (DPI and header decoding suffer). Raise "
                 "capture.snaplen to the largest frame (MTU + 18), and turn GRO/LRO off so merged "
                 "super-packets do not arrive."));
    }
    if (bad > 0) {
        out.push_back(
            make("drops.bad_records", e, "malformed capture records", Severity::kWarn,
                 fmt("bad_records %" PRIu64, bad) + origin,
                 "The capture source delivered records with impossible lengths (a corrupt pcap, or a "
                 "ring/kernel mismatch). Check the input file; report it if it happens on live "
                 "capture."));
    }
    if (c.decoder_invalid > 0 || !c.decode_events.empty()) {
        std::string f = fmt("decoder.invalid %" PRIu64 " of %" PRIu64 " packets (%.3f%%)", c.decoder_invalid,
                            c.decoder_packets, percent(c.decoder_invalid, c.decoder_packets));
        std::string advice;
        bool truncation = false;
        for (const auto& [name, n] : c.decode_events) {
            f += fmt("; %s %" PRIu64, name.c_str(), n);
            advice += name + ": " + explain_decode_event(name) + ". ";
            truncation = truncation || name.ends_with("_truncated");
        }
        if (!advice.empty()) advice.pop_back();
        out.push_back(make("decode.events", e, "decoder events (packets not fully decoded)",
                           truncation && truncated > 0 ? Severity::kWarn : Severity::kInfo, f + origin,
                           advice));
    }
    if (c.flows_evicted > 0) {
        out.push_back(make(
            "flows.evicted", e, "flow table evictions", Severity::kWarn,
            fmt("evicted %" PRIu64 " of %" PRIu64 " flows created (%.2f%%), flow.max_flows = %u",
                c.flows_evicted, c.flows_created, percent(c.flows_evicted, c.flows_created),
                cfg.flow.max_flows) +
                origin,
            fmt("The flow table was full, so the oldest flows were ended early (their records are split and "
                "their statistics incomplete). Raise flow.max_flows (e.g. to %u), or shorten the flow "
                "timeouts "
                "so idle flows leave sooner.",
                cfg.flow.max_flows <= (1u << 27) ? cfg.flow.max_flows * 2 : cfg.flow.max_flows)));
    }
    if (c.records_dropped > 0) {
        out.push_back(
            make("flows.records_dropped", e, "flow records dropped on the way to output", Severity::kWarn,
                 fmt("records_dropped %" PRIu64, c.records_dropped) + origin,
                 "The EVE writer did not keep up with ended flows (slow disk, or output.eve_path on "
                 "a pipe nobody reads fast enough). Write to a local disk, or turn output.eve_flow "
                 "off if you only need the stats."));
    }
    if (c.fragments_unmatched > 0) {
        out.push_back(
            make("flows.fragments_unmatched", e, "IP fragments without their first fragment", Severity::kInfo,
                 fmt("fragments_unmatched %" PRIu64, c.fragments_unmatched) + origin,
                 "Non-first fragments whose first fragment was never seen (lost, or on another "
                 "capture path); they cannot be put in a flow. Keep capture.fanout_defrag = true so "
                 "a fragmented packet's pieces reach the same capture thread."));
    }
    if (out.empty()) {
        out.push_back(make("drops.none", e, "engine drop counters", Severity::kOk,
                           fmt("no drops, truncation, evictions or decode errors in %" PRIu64 " packets",
                               std::max(c.kernel_packets, c.decoder_packets)) +
                               origin));
    }
    return out;
}

}  // namespace nms::doctor
