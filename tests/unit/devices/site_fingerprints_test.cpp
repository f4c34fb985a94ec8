#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "devices/device_table.hpp"
#include "devices/os_hints.hpp"
#include "devices/site_fingerprints.hpp"
#include "flow/flow.hpp"

using namespace nms;
using namespace nms::devices;

namespace {

constexpr const char* kJa4 = "t13d1516h2_8daaf6152771_e5627efa2ab1";
constexpr const char* kAndroidList = "1,3,6,15,26,28,51,58,59,43";

decode::PacketView from_mac(uint8_t last, const char* src, TimestampNs ts) {
    decode::PacketView v;
    v.status = decode::DecodeStatus::kFlow;
    v.has_eth = true;
    v.src_mac[0] = 0x02;
    v.src_mac[5] = last;
    v.dst_mac[0] = 0x02;
    v.dst_mac[5] = 0xfe;
    v.src_ip = *IpAddr::parse(src);
    v.dst_ip = *IpAddr::parse("192.0.2.1");
    v.ip_proto = decode::kIpProtoUdp;
    v.wirelen = 100;
    v.ts_ns = ts;
    return v;
}

// One device (MAC ..:<last>) says `facts` about itself; the merger absorbs it.
void device_says(DeviceMerger& m, uint8_t last, const char* ip,
                 std::initializer_list<std::pair<dpi::DeviceFact, const char*>> facts) {
    const LocalNets local;
    DeviceShard shard(16, local);
    const auto v = from_mac(last, ip, 1'700'000'000'000'000'000ULL);
    shard.on_packet(v, nullptr);
    flow::Flow f;
    for (const auto& [k, value] : facts) shard.device_fact(k, value, &v, f);
    std::vector<PartialDevice> parts;
    shard.take_dirty(parts);
    std::vector<DeviceEvent> ev;
    m.absorb(last, parts, shard.counters(), ev);
}

const Device* device(const std::vector<Device>& all, uint8_t last) {
    for (const auto& d : all)
        if (d.key.kind == DeviceKey::kMac && d.key.b[5] == last) return &d;
    return nullptr;
}

const OsEvidence* evidence(const Device& d, const char* signal) {
    for (const auto& e : d.os_evidence)
        if (e.signal == signal) return &e;
    return nullptr;
}

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        path = std::filesystem::temp_directory_path() / ("nms_sitefp_" + std::to_string(::getpid()));
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    [[nodiscard]] std::string file() const { return (path / std::string(SiteFingerprints::kFileName)).string(); }
};

}  // namespace

TEST_CASE("site fingerprints: learn, conflict, save and load the TSV file", "[devices][sitefp]") {
    TempDir dir;
    SiteFingerprints s;
    CHECK(s.load_file(dir.file()) == -1);  // no file yet
    CHECK(s.learn({"ja4", kJa4, "unix", "Android", "learned x"}) == SiteFingerprints::Learned::kNew);
    CHECK(s.learn({"ja4", kJa4, "unix", "Android", "learned y"}) == SiteFingerprints::Learned::kKnown);
    CHECK(s.learn({"dhcp", dhcp_site_key(kAndroidList, "android-dhcp-9"), "unix", "Android 9", "e"}) ==
          SiteFingerprints::Learned::kNew);
    CHECK(s.learn({"ja4", "t13d0000h2_aaaaaaaaaaaa_bbbbbbbbbbbb", "win", "Windows", "e"}) ==
          SiteFingerprints::Learned::kNew);
    // The same JA4 from a Windows device: it identifies neither, both forgotten for the run.
    CHECK(s.learn({"ja4", "t13d0000h2_aaaaaaaaaaaa_bbbbbbbbbbbb", "unix", "Mac OS X", "e"}) ==
          SiteFingerprints::Learned::kConflict);
    CHECK(s.learn({"ja4", "t13d0000h2_aaaaaaaaaaaa_bbbbbbbbbbbb", "win", "Windows", "e"}) ==
          SiteFingerprints::Learned::kRejected);
    // Text that would break the file's lines is refused.
    CHECK(s.learn({"dhcp", "1,3|evil\tclass", "unix", "Linux", "e"}) == SiteFingerprints::Learned::kRejected);
    CHECK(s.learn({"tcp", "x", "unix", "Linux", "e"}) == SiteFingerprints::Learned::kRejected);
    CHECK(s.learned().size() == 2);
    // Learned this run: not used for matches until the next start.
    CHECK(s.find("ja4", kJa4) == nullptr);
    REQUIRE(s.save(dir.file()));

    SiteFingerprints next;
    REQUIRE(next.load_file(dir.file()) == 2);
    const SiteFingerprint* f = next.find("ja4", kJa4);
    REQUIRE(f);
    CHECK(f->os == "Android");
    CHECK(f->evidence == "learned x");
    REQUIRE(next.find("dhcp", dhcp_site_key(kAndroidList, "android-dhcp-9")));
    CHECK(next.find("dhcp", dhcp_site_key(kAndroidList, "")) == nullptr);  // vendor class is part of the key

    // A later run that sees the JA4 on an iPhone drops it from the file; others stay.
    CHECK(next.learn({"ja4", kJa4, "unix", "iOS", "e"}) == SiteFingerprints::Learned::kConflict);
    CHECK(next.find("ja4", kJa4) == nullptr);
    REQUIRE(next.save(dir.file()));
    SiteFingerprints third;
    CHECK(third.load_file(dir.file()) == 1);
    CHECK(third.find("ja4", kJa4) == nullptr);
}

TEST_CASE("site fingerprints: hand edits, malformed and contradictory lines", "[devices][sitefp]") {
    TempDir dir;
    {
        std::ofstream out(dir.file());
        out << "# comment\n\n"
               "ja4\tt13d1111h2_aaaaaaaaaaaa_bbbbbbbbbbbb\tunix\tLinux\thand-written\r\n"
               "ja4\tonly-three\tfields\n"
               "ssh\tx\tunix\tLinux\tunknown kind\n"
               "dhcp\t1,3,6|\tother\tPrinter\tno vendor class\n"
               "ja4\tt13d2222h2_aaaaaaaaaaaa_bbbbbbbbbbbb\twin\tWindows\ta\n"
               "ja4\tt13d2222h2_aaaaaaaaaaaa_bbbbbbbbbbbb\tunix\tLinux\tb\n"
               "ja4\tt13d2222h2_aaaaaaaaaaaa_bbbbbbbbbbbb\twin\tWindows\tc\n"
            << std::string(2000, 'x') << "\n";
    }
    SiteFingerprints s;
    CHECK(s.load_file(dir.file()) == 2);
    CHECK(s.malformed() == 3);
    CHECK(s.find("ja4", "t13d1111h2_aaaaaaaaaaaa_bbbbbbbbbbbb")->os == "Linux");
    CHECK(s.find("dhcp", "1,3,6|")->os == "Printer");
    CHECK(s.find("ja4", "t13d2222h2_aaaaaaaaaaaa_bbbbbbbbbbbb") == nullptr);
}

TEST_CASE("site fingerprints: devices of known OS teach JA4 and DHCP; later devices match them",
          "[devices][sitefp]") {
    TempDir dir;
    DeviceMerger m(100, nullptr, nullptr, true);
    // An Android phone: DHCP list + vendor class name it; it also speaks TLS.
    device_says(m, 0x10, "192.168.1.10",
                {{dpi::DeviceFact::kDhcpFingerprint, kAndroidList},
                 {dpi::DeviceFact::kDhcpVendorClass, "android-dhcp-9"},
                 {dpi::DeviceFact::kTlsJa4Client, kJa4}});
    // A switch named by LLDP, with an unknown DHCP list: learned from the LLDP description.
    device_says(m, 0x11, "192.168.1.11",
                {{dpi::DeviceFact::kDhcpFingerprint, "1,3,6,12,15,42,66,67"},
                 {static_cast<dpi::DeviceFact>(kFactL2Description), "Cisco IOS Software, C2960 Software"}});
    // Two devices with one JA4 but different User-Agents: conflict, not learned.
    device_says(m, 0x12, "192.168.1.12",
                {{dpi::DeviceFact::kHttpUserAgent, "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"},
                 {dpi::DeviceFact::kTlsJa4Client, "t13d1717h2_5b57614c22b0_3d5424432f57"}});
    device_says(m, 0x13, "192.168.1.13",
                {{dpi::DeviceFact::kHttpUserAgent, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)"},
                 {dpi::DeviceFact::kTlsJa4Client, "t13d1717h2_5b57614c22b0_3d5424432f57"}});
    // A device with no identity teaches nothing.
    device_says(m, 0x14, "192.168.1.14", {{dpi::DeviceFact::kTlsJa4Client, "t12d0909h1_aaaaaaaaaaaa_bbbbbbbbbbbb"}});

    const auto& learned = m.site_fingerprints().learned();
    REQUIRE(learned.size() == 3);
    CHECK(learned[0].kind == "ja4");
    CHECK(learned[0].fingerprint == kJa4);
    CHECK(learned[0].os == "Android");  // the strongest identity: the DHCP list (80)
    CHECK(learned[0].evidence.find("dhcp_fingerprint") != std::string::npos);
    CHECK(learned[1].kind == "dhcp");
    CHECK(learned[1].fingerprint == dhcp_site_key(kAndroidList, "android-dhcp-9"));
    CHECK(learned[1].os == "Android 9");  // not learned from the list itself: from the vendor class
    CHECK(learned[2].fingerprint == "1,3,6,12,15,42,66,67|");
    CHECK(learned[2].os == "Cisco IOS");
    CHECK(m.counters().site_fingerprints == 4);  // incl. the JA4 later contradicted
    CHECK(m.counters().site_conflicts == 1);
    // Nothing learned is used in the same run.
    const auto all1 = m.all();
    CHECK(evidence(*device(all1, 0x10), "ja4_site") == nullptr);
    REQUIRE(m.site_fingerprints().save(dir.file()));

    // Next start: load, and devices that show only the fingerprint get an OS from it.
    DeviceMerger m2(100, nullptr, nullptr, true);
    REQUIRE(m2.site_fingerprints().load_file(dir.file()) == 3);
    device_says(m2, 0x20, "192.168.1.20", {{dpi::DeviceFact::kTlsJa4Client, kJa4}});
    device_says(m2, 0x21, "192.168.1.21", {{dpi::DeviceFact::kDhcpFingerprint, "1,3,6,12,15,42,66,67"}});
    device_says(m2, 0x22, "192.168.1.22",
                {{dpi::DeviceFact::kDhcpFingerprint, kAndroidList},
                 {dpi::DeviceFact::kDhcpVendorClass, "android-dhcp-9"}});
    device_says(m2, 0x23, "192.168.1.23", {{dpi::DeviceFact::kTlsJa4Client, "t13d1717h2_5b57614c22b0_3d5424432f57"}});
    const auto all = m2.all();

    const Device* phone = device(all, 0x20);
    REQUIRE(phone);
    CHECK(phone->os == "Android");
    const OsEvidence* ev = evidence(*phone, "ja4_site");
    REQUIRE(ev);
    CHECK(ev->value == kJa4);
    CHECK(ev->confidence == phone->os_confidence);
    CHECK(ev->confidence < 60);  // below every direct signal
    CHECK(ev->ts != 0);

    const Device* sw = device(all, 0x21);
    REQUIRE(sw);
    CHECK(sw->os == "Cisco IOS");
    REQUIRE(evidence(*sw, "dhcp_site"));
    CHECK(evidence(*sw, "dhcp_site")->value == "1,3,6,12,15,42,66,67|");

    // Direct evidence outranks the learned one, which is still kept as evidence.
    const Device* phone2 = device(all, 0x22);
    REQUIRE(phone2);
    CHECK(phone2->os == "Android");
    CHECK(phone2->os_confidence == 80);
    REQUIRE(evidence(*phone2, "dhcp_site"));
    CHECK(evidence(*phone2, "dhcp_site")->os == "Android 9");
    CHECK(evidence(*phone2, "dhcp_site")->confidence < evidence(*phone2, "dhcp_vendor_class")->confidence);

    // The conflicting JA4 names nothing.
    const Device* other = device(all, 0x23);
    REQUIRE(other);
    CHECK(other->os.empty());
}

TEST_CASE("OS hints: LLDP/CDP system descriptions", "[devices]") {
    CHECK(os_from_l2_description("Cisco IOS Software, C2960 Software (C2960-LANBASEK9-M)")->text() == "Cisco IOS");
    CHECK(os_from_l2_description("Cisco Internetwork Operating System Software ")->text() == "Cisco IOS");
    CHECK(os_from_l2_description("Cisco Nexus Operating System (NX-OS) Software")->text() == "Cisco NX-OS");
    CHECK(os_from_l2_description("Juniper Networks, Inc. ex2200-24t-4g , version 12.3R6.6 JUNOS")->name == "Junos");
    CHECK(os_from_l2_description("Linux 5.10.0-21-amd64 #1 SMP Debian")->os_class == "unix");
    CHECK_FALSE(os_from_l2_description("SMCGS8P-Smart - SMCGS8P-Smart v3.20"));
}

TEST_CASE("a device's many JA4s do not crowd out its other facts in the shard", "[devices][sitefp]") {
    const LocalNets local;
    DeviceShard shard(16, local);
    const auto v = from_mac(0x30, "192.168.1.30", 1000);
    shard.on_packet(v, nullptr);
    flow::Flow f;
    shard.device_fact(dpi::DeviceFact::kDhcpFingerprint, kAndroidList, &v, f);
    shard.device_fact(dpi::DeviceFact::kHostname, "phone", &v, f);
    for (int i = 0; i < 20; ++i) {
        auto later = v;
        later.ts_ns = 2000 + static_cast<TimestampNs>(i);
        const std::string ja4 = "t13d1516h2_" + std::to_string(100000000000 + i) + "_e5627efa2ab1";
        shard.device_fact(dpi::DeviceFact::kTlsJa4Client, ja4, &later, f);
    }
    const PartialDevice* d = shard.find(DeviceKey::of_mac(Mac{0x02, 0, 0, 0, 0, 0x30}));
    REQUIRE(d);
    int ja4 = 0;
    bool dhcp = false, name = false, newest = false;
    for (uint8_t i = 0; i < d->n_facts; ++i) {
        const auto k = static_cast<dpi::DeviceFact>(d->facts[i].kind);
        ja4 += k == dpi::DeviceFact::kTlsJa4Client;
        dhcp |= k == dpi::DeviceFact::kDhcpFingerprint;
        name |= k == dpi::DeviceFact::kHostname;
        newest |= d->facts[i].value.view() == "t13d1516h2_100000000019_e5627efa2ab1";
    }
    CHECK(ja4 == 4);
    CHECK(dhcp);
    CHECK(name);
    CHECK(newest);  // the newest JA4 replaced an older one
}
