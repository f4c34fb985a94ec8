// EVE alert events: Suricata's layout (event_type "alert", src_ip/dest_ip, alert{action,
// gid, signature_id, rev, signature, category, severity 1..3}) plus netmonsec's episode
// fields, parsed back with RapidJSON.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <cmath>
#include <limits>

#include "output/eve_format.hpp"

using namespace nms;

namespace {

detect::Alert scan_alert() {
    detect::Alert a;
    a.id = 77;
    a.kind = detect::AlertKind::kPortScanVertical;
    a.severity = detect::Severity::kMedium;
    a.has_src = true;
    a.src = *IpAddr::parse("10.0.0.66");
    a.has_victim = true;
    a.victim = *IpAddr::parse("10.0.0.5");
    a.victim_count = 1;
    a.top_peers = {{*IpAddr::parse("10.0.0.5"), 300}};
    a.first_seen = 1362692526869344000ULL;
    a.last_seen = a.first_seen + 3'000'000'000ULL;
    a.updates = 2;
    a.explanation = {"distinct_dst_ports", 298, 100, 60, 0, 0, "10.0.0.66 probed 298 distinct ports on 10.0.0.5"};
    a.evidence = {{"probes", 300.0}, {"sample_ports", std::vector<std::string>{"22", "80"}}, {"note", std::string("x\x01y")}};
    return a;
}

}  // namespace

TEST_CASE("an alert renders as a Suricata EVE alert with the episode fields", "[output][eve][alert]") {
    std::string line;
    output::append_alert_event(line, scan_alert(), detect::AlertPhase::kUpdated);
    rapidjson::Document d;
    d.Parse(line.c_str(), line.size());
    REQUIRE_FALSE(d.HasParseError());
    CHECK(std::string(d["event_type"].GetString()) == "alert");
    CHECK(std::string(d["timestamp"].GetString()) == "2013-03-07T21:42:09.869344+0000");  // last_seen
    CHECK(std::string(d["src_ip"].GetString()) == "10.0.0.66");
    CHECK(std::string(d["dest_ip"].GetString()) == "10.0.0.5");
    const auto& al = d["alert"];
    CHECK(std::string(al["action"].GetString()) == "allowed");
    CHECK(al["gid"].GetInt() == 1);
    CHECK(al["signature_id"].GetUint() == 9000001);
    CHECK(al["rev"].GetInt() == 1);
    CHECK(std::string(al["signature"].GetString()) == "Vertical port scan");
    CHECK(std::string(al["category"].GetString()) == "Attempted Information Leak");
    CHECK(al["severity"].GetInt() == 2);
    CHECK(std::string(al["kind"].GetString()) == "port_scan_vertical");
    CHECK(std::string(al["severity_name"].GetString()) == "medium");
    CHECK(std::string(al["phase"].GetString()) == "updated");
    CHECK(al["id"].GetUint64() == 77);
    CHECK(al["updates"].GetInt() == 2);
    CHECK(std::string(al["first_seen"].GetString()) == "2013-03-07T21:42:06.869344+0000");
    CHECK(std::string(al["mitre"]["technique_id"].GetString()) == "T1046");
    CHECK(std::string(al["mitre"]["technique_name"].GetString()) == "Network Service Discovery");
    CHECK(al["explanation"]["value"].GetDouble() == 298);
    CHECK(al["explanation"]["threshold"].GetDouble() == 100);
    CHECK(al["explanation"]["window_s"].GetDouble() == 60);
    CHECK(std::string(al["explanation"]["metric"].GetString()) == "distinct_dst_ports");
    CHECK(al["evidence"]["probes"].GetDouble() == 300);
    CHECK(al["evidence"]["sample_ports"].Size() == 2);
    CHECK(std::string(al["evidence"]["note"].GetString()) == "x\x01y");  // escaped, and read back
    REQUIRE(al["top_peers"].Size() == 1);
    CHECK(std::string(al["top_peers"][0]["ip"].GetString()) == "10.0.0.5");
    CHECK(al["top_peers"][0]["count"].GetUint64() == 300);
    CHECK(al["victim_count"].GetInt() == 1);
}

TEST_CASE("an alert without source, victim or MITRE id, with a NaN, still renders valid JSON", "[output][eve][alert]") {
    detect::Alert a;
    a.id = 1;
    a.kind = detect::AlertKind::kNewDevice;
    a.severity = detect::Severity::kInfo;
    a.src_mac = "b8:27:eb:01:02:03";
    a.explanation.value = std::numeric_limits<double>::quiet_NaN();
    std::string line;
    output::append_alert_event(line, a, detect::AlertPhase::kOpened);
    rapidjson::Document d;
    d.Parse(line.c_str(), line.size());
    REQUIRE_FALSE(d.HasParseError());
    CHECK_FALSE(d.HasMember("src_ip"));
    CHECK_FALSE(d.HasMember("dest_ip"));
    CHECK(std::string(d["src_mac"].GetString()) == "b8:27:eb:01:02:03");
    CHECK(d["alert"]["severity"].GetInt() == 3);
    CHECK_FALSE(d["alert"]["mitre"].IsObject());
    CHECK(d["alert"]["explanation"]["value"].GetDouble() == 0);
    // Stable signature ids: one per kind, all distinct.
    CHECK(output::alert_signature_id(detect::AlertKind::kNewDevice) == 9000016);
}
