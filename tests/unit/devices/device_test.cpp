#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "corpus_frames.hpp"
#include "devices/device_table.hpp"
#include "devices/os_hints.hpp"
#include "flow/flow.hpp"

using namespace nms;
using namespace nms::devices;

namespace {

// A hand-made TCP packet between two addresses with given MACs (no frame bytes needed
// except for SYN fingerprints, which these tests take from real captures).
decode::PacketView pkt(const char* src, const char* dst, uint8_t src_mac_last, uint8_t dst_mac_last, TimestampNs ts,
                       uint32_t bytes = 100) {
    decode::PacketView v;
    v.status = decode::DecodeStatus::kFlow;
    v.has_eth = true;
    v.src_mac[0] = 0x00;
    v.src_mac[1] = 0x1b;
    v.src_mac[5] = src_mac_last;
    v.dst_mac[0] = 0x00;
    v.dst_mac[1] = 0x1b;
    v.dst_mac[5] = dst_mac_last;
    v.src_ip = *IpAddr::parse(src);
    v.dst_ip = *IpAddr::parse(dst);
    v.ip_proto = decode::kIpProtoUdp;
    v.wirelen = bytes;
    v.ts_ns = ts;
    return v;
}

Mac mac_n(uint8_t last) {
    Mac m{0x00, 0x1b, 0, 0, 0, last};
    return m;
}

std::vector<DeviceEvent> merge(DeviceMerger& m, uint32_t worker, DeviceShard& s) {
    std::vector<PartialDevice> parts;
    s.take_dirty(parts);
    std::vector<DeviceEvent> ev;
    m.absorb(worker, parts, s.counters(), ev);
    return ev;
}

}  // namespace

TEST_CASE("local senders are devices per MAC, routed ones per IP", "[devices]") {
    const LocalNets local;
    DeviceShard shard(64, local);
    // 192.168.1.10 (MAC ..:0a) talks to 8.8.8.8 through the router (MAC ..:01); the reply
    // carries the router's MAC but is attributed to 8.8.8.8.
    shard.on_packet(pkt("192.168.1.10", "8.8.8.8", 0x0a, 0x01, 1000), nullptr);
    shard.on_packet(pkt("8.8.8.8", "192.168.1.10", 0x01, 0x0a, 2000), nullptr);
    const PartialDevice* host = shard.find(DeviceKey::of_mac(mac_n(0x0a)));
    REQUIRE(host);
    CHECK(host->local);
    CHECK(host->n_ips == 1);
    CHECK(host->packets_out == 1);
    CHECK(host->packets_in == 1);
    const PartialDevice* remote = shard.find(DeviceKey::of_ip(*IpAddr::parse("8.8.8.8")));
    REQUIRE(remote);
    CHECK_FALSE(remote->local);
    CHECK(shard.find(DeviceKey::of_mac(mac_n(0x01))) == nullptr);  // the router did not speak for itself
    // Custom local networks: 8.8.8.0/24 "local" makes the reply a MAC device.
    const LocalNets custom({"8.8.8.0/24"});
    CHECK(custom.contains(*IpAddr::parse("8.8.8.8")));
    CHECK_FALSE(custom.contains(*IpAddr::parse("192.168.1.1")));
    CHECK(local.contains(*IpAddr::parse("fe80::1")));
    CHECK(local.contains(*IpAddr::parse("fd00::1")));
    CHECK_FALSE(local.contains(*IpAddr::parse("2001:db8::1")));
}

TEST_CASE("the longest-idle device is evicted when the shard is full", "[devices]") {
    const LocalNets local;
    DeviceShard shard(4, local);
    for (uint8_t i = 1; i <= 4; ++i) shard.on_packet(pkt("192.168.1.1", "192.168.1.200", i, 0xee, i * 1000), nullptr);
    shard.on_packet(pkt("192.168.1.1", "192.168.1.200", 1, 0xee, 9000), nullptr);  // 1 is busy again: 2 is idlest
    shard.on_packet(pkt("192.168.1.1", "192.168.1.200", 5, 0xee, 9500), nullptr);
    CHECK(shard.counters().evicted == 1);
    CHECK(shard.counters().devices == 4);
    CHECK(shard.find(DeviceKey::of_mac(mac_n(2))) == nullptr);
    CHECK(shard.find(DeviceKey::of_mac(mac_n(1))) != nullptr);
    CHECK(shard.find(DeviceKey::of_mac(mac_n(5))) != nullptr);
}

TEST_CASE("two shards' views of one MAC merge into one device; events on discovery and change", "[devices]") {
    const LocalNets local;
    DeviceShard a(16, local), b(16, local);
    DeviceMerger m(100, nullptr, nullptr, false);
    a.on_packet(pkt("192.168.1.10", "8.8.8.8", 0x0a, 0x01, 1000, 100), nullptr);
    b.on_packet(pkt("192.168.1.10", "1.1.1.1", 0x0a, 0x01, 2000, 300), nullptr);
    auto ev = merge(m, 0, a);
    REQUIRE(ev.size() == 1);  // the host; 8.8.8.8 never sent anything
    CHECK(ev[0].discovered);
    ev = merge(m, 1, b);
    CHECK(ev.empty());  // same device, nothing new
    auto all = m.all();
    const Device* host = nullptr;
    for (const auto& d : all)
        if (d.mac == "00:1b:00:00:00:0a") host = &d;
    REQUIRE(host);
    CHECK(host->packets_out == 2);
    CHECK(host->bytes_out == 400);
    CHECK(host->ips.size() == 1);
    // Re-sending a cumulative snapshot does not double count.
    a.on_packet(pkt("192.168.1.10", "8.8.8.8", 0x0a, 0x01, 3000, 50), nullptr);
    ev = merge(m, 0, a);
    CHECK(ev.empty());
    CHECK(m.top(1)[0].bytes_out == 450);
    // A new address and a hostname are changes.
    a.on_packet(pkt("192.168.1.11", "8.8.8.8", 0x0a, 0x01, 4000), nullptr);
    flow::Flow f;
    auto v = pkt("192.168.1.11", "8.8.8.8", 0x0a, 0x01, 4100);
    a.device_fact(dpi::DeviceFact::kHostname, "laptop-7", &v, f);
    ev = merge(m, 0, a);
    REQUIRE(ev.size() == 1);
    CHECK_FALSE(ev[0].discovered);
    CHECK(ev[0].changes == std::vector<std::string>{"new_ip", "new_hostname"});
    CHECK(ev[0].device.hostnames == std::vector<std::string>{"laptop-7"});
}

TEST_CASE("LLDP and CDP announcements from real frames", "[devices]") {
    const LocalNets local;
    DeviceShard shard(16, local);
    auto lldp = test::read_corpus("zeek__lldp.pcap");
    REQUIRE(!lldp.frames.empty());
    L2Announcement a;
    auto v = lldp.view(0);
    CHECK(v.status == decode::DecodeStatus::kNonIp);
    REQUIRE(parse_lldp(ByteView{v.data + v.l3_off, v.caplen - v.l3_off}, a));
    CHECK(a.system_name.view() == "SMCGS8P-Smart");
    CHECK(a.description.view() == "SMCGS8P-Smart - SMCGS8P-Smart v3.20");
    CHECK(a.capabilities.view() == "bridge");
    CHECK((a.port.view() == "1" || a.port.view() == "Port #1"));
    shard.on_l2(v);
    const PartialDevice* sw = shard.find(DeviceKey::of_mac(*mac_parse("00:22:2d:81:db:10")));
    REQUIRE(sw);
    CHECK(sw->n_facts >= 3);

    auto cdp = test::read_corpus("zeek__cdp-v1.pcap");
    REQUIRE(!cdp.frames.empty());
    v = cdp.view(0);
    REQUIRE(parse_cdp(ByteView{v.data + v.l3_off, v.caplen - v.l3_off}, a));
    CHECK(a.system_name.view() == "R1");
    CHECK(a.port.view() == "Ethernet0");
    CHECK(a.platform.view() == "cisco 1601");
    CHECK(a.capabilities.view() == "router");
    shard.on_l2(v);
    DeviceMerger m(100, nullptr, nullptr, false);
    merge(m, 0, shard);
    bool found = false;
    for (const auto& d : m.all())
        if (d.mac == "00:e0:1e:d5:d5:15") {
            found = true;
            CHECK(d.hostnames == std::vector<std::string>{"R1"});
            CHECK(d.attributes.at("l2_platform") == std::vector<std::string>{"cisco 1601"});
        }
    CHECK(found);
    // Every truncation parses or fails without over-reading.
    for (const auto* c : {&lldp, &cdp}) {
        const auto& fb = c->frames[0].bytes;
        const auto v0 = c->view(0);
        for (size_t n = 0; n + v0.l3_off <= fb.size(); ++n) {
            std::vector<uint8_t> cut(fb.begin() + v0.l3_off, fb.begin() + static_cast<long>(v0.l3_off + n));
            (void)parse_lldp(ByteView{cut.data(), cut.size()}, a);
            (void)parse_cdp(ByteView{cut.data(), cut.size()}, a);
        }
    }
}

TEST_CASE("OS hints: DHCP fingerprints, vendor class, User-Agent", "[devices]") {
    CHECK(os_from_dhcp_fingerprint("1,3,6,15,31,33,43,44,46,47,119,121,249,252")->text() == "Windows 10");
    CHECK_FALSE(os_from_dhcp_fingerprint("1,2,3"));
    CHECK(os_from_dhcp_vendor_class("android-dhcp-11")->text() == "Android 11");
    CHECK(os_from_dhcp_vendor_class("MSFT 5.0")->name == "Windows");
    CHECK(os_from_user_agent("Mozilla/5.0 (Windows NT 6.1; WOW64)")->text() == "Windows 7");
    CHECK(os_from_user_agent("Mozilla/5.0 (Linux; Android 9; SM-G960F)")->text() == "Android 9");
    CHECK(os_from_user_agent("Mozilla/5.0 (iPhone; CPU iPhone OS 14_2 like Mac OS X)")->text() == "iOS 14.2");
    CHECK(os_from_user_agent("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)")->text() == "Mac OS X 10.15");
    CHECK(os_from_user_agent("curl/7.88")  == std::nullopt);
}

TEST_CASE("a DHCP-identified device's SYN becomes a site signature, saved and reloaded", "[devices]") {
    auto p0f = std::make_shared<P0fDb>();  // empty: nothing known, so the signature is new
    const LocalNets local;
    DeviceShard shard(16, local);
    DeviceMerger m(100, nullptr, p0f, true);
    // A real SYN from a local Mac, plus a DHCP fingerprint fact for the same device.
    const auto cap = test::read_corpus("ndpi__http_auth.pcap");
    const auto syn = cap.view(0);
    REQUIRE((syn.tcp_flags & decode::kTcpSyn));
    shard.on_packet(syn, nullptr);
    flow::Flow f;
    shard.device_fact(dpi::DeviceFact::kDhcpFingerprint, "1,121,3,6,15,119,252,95,44,46", &syn, f);
    merge(m, 0, shard);
    REQUIRE(m.site_signatures().size() == 1);
    CHECK(m.site_signatures()[0].label == "s:unix:Mac OS X:");
    CHECK(m.site_signatures()[0].sig == "4:64:0:*:65535,4:mss,nop,ws,nop,nop,ts,sok,eol+1:df,id+:0");

    const auto dir = std::filesystem::temp_directory_path() / ("nms_site_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "site.fp").string();
    REQUIRE(m.save_site(path));
    std::ifstream in(path);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(text.find("dhcp_fingerprint \"1,121,3,6,15,119,252,95,44,46\" of 28:cf:e9:21:3c:2b") != std::string::npos);
    // p0f refuses labels whose class was not declared first (its own p0f.fp starts with this line).
    CHECK(text.find("\nclasses = win,unix,other\n") < text.find("label = "));

    // Next start: the site signature names the OS of a device that only sent a SYN.
    auto reloaded = std::make_shared<P0fDb>();
    REQUIRE(reloaded->load_file(path, true) == 1);
    DeviceShard shard2(16, local);
    DeviceMerger m2(100, nullptr, reloaded, true);
    shard2.on_packet(syn, nullptr);
    merge(m2, 0, shard2);
    const auto d = m2.top(1);
    REQUIRE(d.size() == 1);
    CHECK(d[0].os == "Mac OS X");
    REQUIRE(!d[0].os_evidence.empty());
    CHECK(d[0].os_evidence[0].signal == "tcp_syn_site");
    // Saving again keeps one entry (no duplicates), and a bounded file.
    REQUIRE(m.save_site(path));
    REQUIRE(P0fDb().load_file(path, true) == 1);
    std::filesystem::remove_all(dir);
}
