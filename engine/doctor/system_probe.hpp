#pragma once
// Reads what decides capture loss from /sys and /proc. Every path is taken under a root
// prefix ("/" on a live system, a fake tree in tests); the SIOCETHTOOL part comes from an
// EthtoolQuery. Nothing here changes the system.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "doctor/ethtool_query.hpp"

namespace nms::doctor {

struct IrqInfo {
    uint32_t irq = 0;
    std::string name;       // action name from /proc/interrupts ("eth0-TxRx-3", "virtio0-input.0")
    uint64_t count = 0;     // interrupts so far, summed over CPUs
    std::vector<int> cpus;  // /proc/irq/N/smp_affinity_list; empty = unreadable
};

struct InterfaceFacts {
    std::string name;
    std::optional<uint32_t> mtu;
    std::optional<int64_t> speed_mbps;  // nullopt: virtual link or link down
    std::optional<bool> carrier;
    std::string operstate;          // "up", "down", "unknown", ...
    std::optional<uint32_t> flags;  // IFF_* from /sys/class/net/X/flags
    std::optional<uint32_t> type;   // ARPHRD_*
    std::string driver;             // device/driver link name, else ETHTOOL_GDRVINFO
    std::string device;             // device link name ("0000:03:00.0", "virtio0"); "" = virtual
    uint32_t rx_queues = 0;         // /sys/class/net/X/queues/rx-*
    std::vector<IrqInfo> irqs;      // the NIC's interrupt lines
    std::optional<Channels> channels;
    std::optional<Offloads> offloads;
    std::optional<std::vector<uint32_t>> rss;
};

struct HostFacts {
    std::vector<int> online_cpus;  // /sys/devices/system/cpu/online
    std::optional<uint64_t> rmem_max, rmem_default, netdev_max_backlog, netdev_budget;
    std::optional<uint64_t> softnet_dropped;   // /proc/net/softnet_stat column 2, all CPUs
    std::optional<uint64_t> softnet_squeezed;  // column 3: budget ran out with work left
    std::optional<bool> can_capture;           // euid 0 or CAP_NET_RAW (from /proc/self/status)
};

// "0-3,8,10-11" -> {0,1,2,3,8,10,11}; malformed parts are skipped.
std::vector<int> parse_cpu_list(const std::string& text);
// {0,1,2,3,8} -> "0-3,8"
std::string format_cpu_list(const std::vector<int>& cpus);

class SystemProbe {
 public:
    // `ethtool` may be null: the ioctl-based facts are then left unknown.
    SystemProbe(std::string root, EthtoolQuery* ethtool);

    bool interface_exists(const std::string& name) const;
    std::vector<std::string> interface_names() const;
    InterfaceFacts interface(const std::string& name) const;
    HostFacts host() const;

 private:
    std::string path(const std::string& rel) const;  // rel starts with '/'
    std::vector<IrqInfo> irqs_of(const std::string& ifname, const std::string& device) const;

    std::string root_;
    EthtoolQuery* ethtool_;
};

}  // namespace nms::doctor
