#include "fake_system.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace nms::doctor::test {

namespace fs = std::filesystem;

FakeTree::FakeTree() {
    std::string tmpl = (fs::temp_directory_path() / "nms-doctor-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    root_ = tmpl;
}

FakeTree::~FakeTree() {
    std::error_code ec;
    fs::remove_all(root_, ec);
}

void FakeTree::write(const std::string& rel, const std::string& text) {
    const fs::path p = root_ + rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
}

void FakeTree::link(const std::string& rel, const std::string& target) {
    const fs::path p = root_ + rel;
    fs::create_directories(p.parent_path());
    std::error_code ec;
    fs::remove(p, ec);
    fs::create_symlink(target, p);
}

void FakeTree::remove(const std::string& rel) {
    std::error_code ec;
    fs::remove_all(root_ + rel, ec);
}

void FakeTree::add_healthy_host() {
    write("/sys/devices/system/cpu/online", "0-7\n");
    write("/proc/sys/net/core/rmem_max", "33554432\n");
    write("/proc/sys/net/core/rmem_default", "212992\n");
    write("/proc/sys/net/core/netdev_max_backlog", "250000\n");
    write("/proc/sys/net/core/netdev_budget", "600\n");
    write(
        "/proc/net/softnet_stat",
        "0000a000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000\n"
        "0000b000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 "
        "00000001\n");
    write("/proc/self/status", "Name:\tnetmonsec\nCapEff:\t000001ffffffffff\n");
    const std::string net = "/sys/class/net/eth0";
    write(net + "/mtu", "1500\n");
    write(net + "/speed", "10000\n");
    write(net + "/carrier", "1\n");
    write(net + "/operstate", "up\n");
    write(net + "/flags", "0x1103\n");
    write(net + "/type", "1\n");
    write("/sys/devices/pci0000:00/0000:03:00.0/vendor", "0x8086\n");
    link(net + "/device", "../../../devices/pci0000:00/0000:03:00.0");
    link(net + "/device/driver", "../../../bus/pci/drivers/ixgbe");
    for (int q = 0; q < 4; ++q) {
        write(net + "/queues/rx-" + std::to_string(q) + "/rps_cpus", "00\n");
        write(net + "/queues/tx-" + std::to_string(q) + "/xps_cpus", "00\n");
    }
    std::string irqs =
        "           CPU0       CPU1       CPU2       CPU3       CPU4       CPU5       CPU6       CPU7\n"
        "  0:         40          0          0          0          0          0          0          0  "
        "IO-APIC   2-edge      timer\n"
        " 39:          1          0          0          0          0          0          0          0  "
        "PCI-MSI 1572864-edge      virtio0-config\n";
    for (int q = 0; q < 4; ++q) {
        const std::string n = std::to_string(40 + q);
        irqs += " " + n +
                ":          0          0          0          0        500        500        500        500  "
                "PCI-MSI 157286" +
                std::to_string(5 + q) + "-edge      eth0-TxRx-" + std::to_string(q) + "\n";
        write("/proc/irq/" + n + "/smp_affinity_list", std::to_string(4 + q) + "\n");
    }
    irqs +=
        " 50:          0          0          0          0          0          0          0          9  "
        "PCI-MSI 2000000-edge      eth01-rx\n"
        "NMI:          0          0          0          0          0          0          0          0   "
        "Non-maskable interrupts\n";
    write("/proc/irq/39/smp_affinity_list", "0-7\n");
    write("/sys/devices/pci0000:00/0000:03:00.0/msi_irqs/43", "msix\n");
    write("/proc/irq/50/smp_affinity_list", "0\n");
    write("/proc/interrupts", irqs);
}

std::optional<std::string> FakeEthtool::driver(const std::string& ifname) {
    auto it = drivers.find(ifname);
    return it == drivers.end() ? std::nullopt : std::optional<std::string>(it->second);
}

std::optional<Channels> FakeEthtool::channels(const std::string& ifname) {
    auto it = channel_map.find(ifname);
    return it == channel_map.end() ? std::nullopt : std::optional<Channels>(it->second);
}

std::optional<Offloads> FakeEthtool::offloads(const std::string& ifname) {
    auto it = offload_map.find(ifname);
    return it == offload_map.end() ? std::nullopt : std::optional<Offloads>(it->second);
}

std::optional<std::vector<uint32_t>> FakeEthtool::rss_indirection(const std::string& ifname) {
    auto it = rss_map.find(ifname);
    return it == rss_map.end() ? std::nullopt : std::optional<std::vector<uint32_t>>(it->second);
}

void FakeEthtool::add_healthy_eth0() {
    drivers["eth0"] = "ixgbe";
    Channels ch;
    ch.max_combined = 4;
    ch.combined = 4;
    channel_map["eth0"] = ch;
    Offloads o;
    o.gro = false;
    o.gro_hw = false;
    o.lro = false;
    o.tso = false;
    o.gso = false;
    o.rx_vlan = true;
    offload_map["eth0"] = o;
    std::vector<uint32_t> rss(128);
    for (size_t i = 0; i < rss.size(); ++i) rss[i] = static_cast<uint32_t>(i % 4);
    rss_map["eth0"] = rss;
}

}  // namespace nms::doctor::test
