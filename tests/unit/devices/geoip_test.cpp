#include <catch2/catch.hpp>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "devices/device_table.hpp"
#include "devices/geoip.hpp"
#include "flow/flow.hpp"

using namespace nms;
using namespace nms::devices;

namespace {

// Builds the test databases with tests/tools/mmdb_writer.py (and checks them with
// mmdblookup, MaxMind's own reader, when it is installed) into a fresh directory.
struct TestDbs {
    std::filesystem::path dir;
    std::string country, asn;
    TestDbs() {
        dir = std::filesystem::temp_directory_path() / ("nms_geoip_" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir);
        country = (dir / "country.mmdb").string();
        asn = (dir / "asn.mmdb").string();
        const std::string w = "python3 " NMS_SOURCE_DIR "/tests/tools/mmdb_writer.py ";
        const std::string data = NMS_SOURCE_DIR "/tests/data/geoip/";
        REQUIRE(std::system((w + country + " GeoLite2-Country " + data + "country.json").c_str()) == 0);
        REQUIRE(std::system((w + asn + " GeoLite2-ASN " + data + "asn.json").c_str()) == 0);
    }
    ~TestDbs() { std::filesystem::remove_all(dir); }
};

IpAddr ip(const char* s) { return *IpAddr::parse(s); }

}  // namespace

TEST_CASE("geoip: country, city and ASN from generated GeoLite2-like databases", "[devices][geoip]") {
    TestDbs dbs;
    if (std::system("command -v mmdblookup >/dev/null 2>&1") == 0) {
        // MaxMind's reader agrees the file is a valid MMDB with our record in it.
        const std::string cmd = "mmdblookup --file " + dbs.country + " --ip 192.0.2.9 country iso_code | grep -q '\"DE\"'";
        CHECK(std::system(cmd.c_str()) == 0);
    }
    GeoLookup geo(dbs.country, dbs.asn);
    REQUIRE(geo.active());
    CHECK(geo.warnings().empty());

    const GeoInfo a = geo.lookup(ip("192.0.2.9"));
    CHECK(a.country_iso == "DE");
    CHECK(a.country == "Germany");
    CHECK(a.city == "Berlin");
    CHECK(a.asn == 64496);
    CHECK(a.as_org == "Example Transit GmbH");

    // Only a registered country (no located one): that one is given; a 4-byte ASN.
    const GeoInfo b = geo.lookup(ip("198.51.100.7"));
    CHECK(b.country_iso == "GB");
    CHECK(b.city.empty());
    CHECK(b.asn == 4200000000u);
    // In the ASN DB's /24 but outside the country DB's /25.
    const GeoInfo c = geo.lookup(ip("198.51.100.200"));
    CHECK(c.country_iso.empty());
    CHECK(c.asn == 4200000000u);

    // IPv6: country for the /32, ASN for the /48 only.
    const GeoInfo d = geo.lookup(ip("2001:db8:1::5"));
    CHECK(d.country_iso == "JP");
    CHECK(d.asn == 64511);
    const GeoInfo e = geo.lookup(ip("2001:db8:2::5"));
    CHECK(e.country_iso == "JP");
    CHECK(e.asn == 0);

    // Not in either database.
    CHECK(geo.lookup(ip("203.0.113.1")).empty());
    CHECK(geo.counters().not_found == 1);
    CHECK(geo.counters().lookups == 6);
    // A second lookup is a cache hit, with the same answer.
    CHECK(geo.lookup(ip("192.0.2.9")) == a);
    CHECK(geo.counters().cache_hits == 1);
    CHECK(geo.counters().lookups == 6);
}

TEST_CASE("geoip: the cache stays bounded and keeps answering right", "[devices][geoip]") {
    TestDbs dbs;
    GeoLookup geo(dbs.country, dbs.asn, 4);
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 40; ++i) {
            const std::string a = "192.0.2." + std::to_string(i);
            CHECK(geo.lookup(ip(a.c_str())).country_iso == "DE");
        }
    }
    // 2 generations of 4: at most 8 cached, so most of the 120 lookups read the database.
    CHECK(geo.counters().lookups + geo.counters().cache_hits == 120);
    CHECK(geo.counters().lookups >= 112);
}

TEST_CASE("geoip: missing and corrupt databases are a warning and a counter, not a crash", "[devices][geoip]") {
    TestDbs dbs;
    const std::string junk = (dbs.dir / "junk.mmdb").string();
    {
        std::ofstream(junk) << "this is not a MaxMind DB\n";
    }
    GeoLookup geo((dbs.dir / "missing.mmdb").string(), junk);
    CHECK_FALSE(geo.active());
    CHECK(geo.counters().unavailable_dbs == 2);
    CHECK(geo.warnings().find("missing.mmdb") != std::string::npos);
    CHECK(geo.warnings().find("junk.mmdb") != std::string::npos);
    CHECK(geo.lookup(ip("192.0.2.9")).empty());

    // A truncated copy of a good file: open fails or lookups fail, never a crash.
    std::ifstream in(dbs.country, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (size_t cut : {bytes.size() / 4, bytes.size() / 2, bytes.size() - 40}) {
        const std::string path = (dbs.dir / ("cut" + std::to_string(cut) + ".mmdb")).string();
        std::ofstream(path, std::ios::binary) << bytes.substr(0, cut);
        GeoLookup g(path, "");
        (void)g.lookup(ip("192.0.2.9"));
        (void)g.lookup(ip("2001:db8::1"));
        CHECK(g.counters().unavailable_dbs + g.counters().lookups >= 1);
    }
    // Half the tree bytes overwritten: lookups that hit them are errors, counted.
    std::string damaged = bytes;
    for (size_t i = 0; i < 600 && i < damaged.size(); ++i) damaged[i] = '\xff';
    const std::string dpath = (dbs.dir / "damaged.mmdb").string();
    std::ofstream(dpath, std::ios::binary) << damaged;
    GeoLookup g(dpath, "");
    REQUIRE(g.active());
    const GeoInfo r = g.lookup(ip("192.0.2.9"));
    CHECK(r.empty());
    CHECK(g.counters().errors == 1);
}

TEST_CASE("geoip: external peers of local devices and remote devices carry geo", "[devices][geoip]") {
    TestDbs dbs;
    const LocalNets local;
    DeviceShard shard(16, local);
    DeviceMerger m(100, nullptr, nullptr, false);
    m.set_geo(std::make_unique<GeoLookup>(dbs.country, dbs.asn));

    decode::PacketView v;
    v.status = decode::DecodeStatus::kFlow;
    v.has_eth = true;
    v.src_mac[0] = 0x00, v.src_mac[5] = 0x0a;
    v.dst_mac[0] = 0x00, v.dst_mac[5] = 0x01;
    v.src_ip = ip("192.168.1.10");
    v.dst_ip = ip("192.0.2.80");
    v.ip_proto = decode::kIpProtoUdp;
    v.wirelen = 100;
    v.ts_ns = 1000;
    flow::Flow f;
    f.key.addr_lo = v.src_ip;
    f.key.addr_hi = v.dst_ip;
    f.client_is_lo = true;
    shard.on_packet(v, &f);
    decode::PacketView back = v;
    std::swap(back.src_ip, back.dst_ip);
    std::swap(back.src_mac, back.dst_mac);
    back.ts_ns = 2000;
    shard.on_packet(back, &f);

    std::vector<PartialDevice> parts;
    shard.take_dirty(parts);
    std::vector<DeviceEvent> events;
    m.absorb(0, parts, shard.counters(), events);

    bool saw_local = false, saw_remote = false;
    for (const Device& d : m.all()) {
        if (d.local) {
            saw_local = true;
            REQUIRE(d.peers.size() == 1);
            CHECK(d.peers[0].geo.country_iso == "DE");
            CHECK(d.peers[0].geo.asn == 64496);
            CHECK(d.geo.empty());
        } else {
            saw_remote = true;
            CHECK(d.geo.country_iso == "DE");
            CHECK(d.geo.city == "Berlin");
            CHECK(d.geo.as_org == "Example Transit GmbH");
        }
    }
    CHECK(saw_local);
    CHECK(saw_remote);
    // The "device" events carry it too (they copy the device).
    bool event_geo = false;
    for (const auto& ev : events) event_geo |= ev.device.geo.country_iso == "DE";
    CHECK(event_geo);
    CHECK(m.counters().geo.lookups >= 1);
}
