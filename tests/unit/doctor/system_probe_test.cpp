#include "doctor/system_probe.hpp"

#include <catch2/catch.hpp>

#include "fake_system.hpp"

using namespace nms::doctor;
using nms::doctor::test::FakeEthtool;
using nms::doctor::test::FakeTree;

TEST_CASE("cpu lists parse and format as the kernel writes them", "[doctor]") {
    CHECK(parse_cpu_list("0-3,8,10-11\n") == std::vector<int>{0, 1, 2, 3, 8, 10, 11});
    CHECK(parse_cpu_list("5") == std::vector<int>{5});
    CHECK(parse_cpu_list("x,2,4-3,7-") == std::vector<int>{2});
    CHECK(parse_cpu_list("").empty());
    CHECK(format_cpu_list({8, 0, 1, 2, 3, 10, 11}) == "0-3,8,10-11");
    CHECK(format_cpu_list({}).empty());
}

TEST_CASE("probe reads a NIC's sysfs, IRQs and ethtool facts from a fake tree", "[doctor]") {
    FakeTree tree;
    tree.add_healthy_host();
    FakeEthtool eth;
    eth.add_healthy_eth0();
    SystemProbe probe(tree.root(), &eth);

    CHECK(probe.interface_exists("eth0"));
    CHECK_FALSE(probe.interface_exists("eth9"));
    CHECK_FALSE(probe.interface_exists("../eth0"));
    CHECK(probe.interface_names() == std::vector<std::string>{"eth0"});

    const InterfaceFacts f = probe.interface("eth0");
    CHECK(f.mtu == 1500u);
    CHECK(f.speed_mbps == 10000);
    CHECK(f.carrier == true);
    CHECK(f.operstate == "up");
    CHECK(f.flags == 0x1103u);
    CHECK(f.driver == "ixgbe");
    CHECK(f.device == "0000:03:00.0");
    CHECK(f.rx_queues == 4);
    REQUIRE(f.irqs.size() == 4);  // eth0-TxRx-0..3; not "eth01-rx", not the timer
    CHECK(f.irqs[0].irq == 40);
    CHECK(f.irqs[0].name == "eth0-TxRx-0");
    CHECK(f.irqs[0].count == 2000);
    CHECK(f.irqs[0].cpus == std::vector<int>{4});
    CHECK(f.irqs[3].cpus == std::vector<int>{7});
    REQUIRE(f.channels);
    CHECK(f.channels->combined == 4);
    REQUIRE(f.offloads);
    CHECK(f.offloads->gro == false);
    REQUIRE(f.rss);
    CHECK(f.rss->size() == 128);
}

TEST_CASE("probe finds MSI vectors of the device even when they are not named after it", "[doctor]") {
    FakeTree tree;
    tree.add_healthy_host();
    tree.write("/proc/interrupts",
               "           CPU0       CPU1\n"
               " 77:          5          6  PCI-MSI 1-edge      mystery-q0\n"
               " 78:          5          6  PCI-MSI 2-edge      other-q0\n");
    tree.write("/sys/devices/pci0000:00/0000:03:00.0/msi_irqs/77", "msix\n");
    tree.write("/proc/irq/77/smp_affinity_list", "1\n");
    SystemProbe probe(tree.root(), nullptr);
    const InterfaceFacts f = probe.interface("eth0");
    REQUIRE(f.irqs.size() == 1);
    CHECK(f.irqs[0].irq == 77);
    CHECK(f.irqs[0].count == 11);
    CHECK(f.irqs[0].cpus == std::vector<int>{1});
    CHECK_FALSE(f.channels);  // no ethtool: unknown, not zero
}

TEST_CASE("probe reads host sysctls, softnet drops and CAP_NET_RAW", "[doctor]") {
    FakeTree tree;
    tree.add_healthy_host();
    tree.write("/proc/net/softnet_stat",
               "00000010 00000002 00000001\n"
               "00000010 0000000a 00000000\n");
    tree.write("/proc/self/status", "CapEff:\t0000000000000000\n");
    const HostFacts h = SystemProbe(tree.root(), nullptr).host();
    CHECK(h.online_cpus.size() == 8);
    CHECK(h.rmem_max == 33554432u);
    CHECK(h.rmem_default == 212992u);
    CHECK(h.netdev_max_backlog == 250000u);
    CHECK(h.netdev_budget == 600u);
    CHECK(h.softnet_dropped == 12u);
    CHECK(h.softnet_squeezed == 1u);
    CHECK(h.can_capture == false);
}

TEST_CASE("probe of a missing tree leaves every fact unknown", "[doctor]") {
    SystemProbe probe("/nonexistent-nms-doctor-root", nullptr);
    const HostFacts h = probe.host();
    CHECK(h.online_cpus.empty());
    CHECK_FALSE(h.rmem_max);
    CHECK_FALSE(h.softnet_dropped);
    const InterfaceFacts f = probe.interface("eth0");
    CHECK_FALSE(f.mtu);
    CHECK_FALSE(f.speed_mbps);
    CHECK(f.irqs.empty());
}
