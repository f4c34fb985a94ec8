#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "decode/packet_view.hpp"
#include "output/eve_format.hpp"

using namespace nms;

namespace {

rapidjson::Document parse(const std::string& s) {
    rapidjson::Document d;
    d.Parse(s.c_str(), s.size());
    REQUIRE_FALSE(d.HasParseError());
    return d;
}

pipeline::FlowRecord tcp_record() {
    pipeline::FlowRecord rec{};
    flow::Flow& f = rec.flow;
    f.key.addr_lo = *IpAddr::parse("10.0.0.1");
    f.key.addr_hi = *IpAddr::parse("192.0.2.80");
    f.key.port_lo = 51000;
    f.key.port_hi = 443;
    f.key.proto = decode::kIpProtoTcp;
    f.key.vlan = 42;
    f.client_is_lo = false;  // 192.0.2.80:443 sent first (unusual, but must be honoured)
    f.flow_id = 1234567;
    f.first_ns = 1362692526869344000ULL;
    f.last_ns = f.first_ns + 2'500'000'000ULL;
    f.pkts[flow::kToServer] = 7;
    f.pkts[flow::kToClient] = 5;
    f.bytes[flow::kToServer] = 638;
    f.bytes[flow::kToClient] = 5505;
    f.tcp_flags[flow::kToServer] = decode::kTcpSyn | decode::kTcpAck;
    f.tcp_flags[flow::kToClient] = decode::kTcpSyn | decode::kTcpAck | decode::kTcpFin;
    f.tcp_state = flow::TcpState::kClosed;
    f.has_rtt = true;
    f.rtt_client_us = 1500;
    f.rtt_server_us = 20000;
    f.retransmits[0] = 2;
    rec.reason = flow::EndReason::kTcpClosed;
    return rec;
}

}  // namespace

TEST_CASE("EVE timestamps use Suricata's format with microseconds", "[output]") {
    CHECK(output::eve_timestamp(1362692526869344123ULL) == "2013-03-07T21:42:06.869344+0000");
    CHECK(output::eve_timestamp(0) == "1970-01-01T00:00:00.000000+0000");
}

TEST_CASE("EVE flow event carries Suricata's fields, oriented client to server", "[output]") {
    std::string line;
    output::append_flow_event(line, tcp_record());
    auto d = parse(line);
    CHECK(std::string(d["event_type"].GetString()) == "flow");
    CHECK(d["flow_id"].GetUint64() == 1234567);
    CHECK(std::string(d["src_ip"].GetString()) == "192.0.2.80");
    CHECK(d["src_port"].GetUint() == 443);
    CHECK(std::string(d["dest_ip"].GetString()) == "10.0.0.1");
    CHECK(d["dest_port"].GetUint() == 51000);
    CHECK(std::string(d["proto"].GetString()) == "TCP");
    CHECK(d["vlan"][0].GetUint() == 42);
    const auto& fl = d["flow"];
    CHECK(fl["pkts_toserver"].GetUint() == 7);
    CHECK(fl["pkts_toclient"].GetUint() == 5);
    CHECK(fl["bytes_toserver"].GetUint64() == 638);
    CHECK(fl["bytes_toclient"].GetUint64() == 5505);
    CHECK(std::string(fl["start"].GetString()) == "2013-03-07T21:42:06.869344+0000");
    CHECK(std::string(fl["end"].GetString()) == "2013-03-07T21:42:09.369344+0000");
    CHECK(fl["age"].GetUint() == 2);
    CHECK(std::string(fl["state"].GetString()) == "closed");
    const auto& tcp = d["tcp"];
    CHECK(std::string(tcp["tcp_flags"].GetString()) == "13");
    CHECK(std::string(tcp["tcp_flags_ts"].GetString()) == "12");
    CHECK(std::string(tcp["tcp_flags_tc"].GetString()) == "13");
    CHECK(tcp["syn"].GetBool());
    CHECK(tcp["fin"].GetBool());
    CHECK_FALSE(tcp.HasMember("rst"));
    CHECK(tcp["rtt_ms"].GetDouble() == Approx(21.5));
    CHECK(tcp["retransmits"].GetUint() == 2);
}

TEST_CASE("EVE flow event for ICMP and IPv6 has no ports and RFC 5952 addresses", "[output]") {
    pipeline::FlowRecord rec{};
    rec.flow.key.addr_lo = *IpAddr::parse("2001:db8::1");
    rec.flow.key.addr_hi = *IpAddr::parse("2001:db8:0:0:0:0:0:2");
    rec.flow.key.proto = decode::kIpProtoIcmpv6;
    rec.flow.client_is_lo = true;
    rec.reason = flow::EndReason::kShutdown;
    std::string line;
    output::append_flow_event(line, rec);
    auto d = parse(line);
    CHECK(std::string(d["proto"].GetString()) == "IPv6-ICMP");
    CHECK(std::string(d["dest_ip"].GetString()) == "2001:db8::2");
    CHECK_FALSE(d.HasMember("src_port"));
    CHECK_FALSE(d.HasMember("tcp"));
    CHECK_FALSE(d.HasMember("vlan"));
    CHECK(std::string(d["flow"]["reason"].GetString()) == "shutdown");
}

TEST_CASE("EVE stats event renders counters and decode events by name", "[output]") {
    stats::Snapshot s;
    s.wall_ns = 1362692526000000000ULL;
    s.traffic.packets = 10;
    s.traffic.bytes = 1000;
    s.traffic.decode_events[static_cast<size_t>(decode::DecodeEvent::kIpv4Truncated)] = 3;
    s.kernel_drops = 5;
    s.active_flows = 2;
    std::string line;
    output::append_stats_event(line, s);
    auto d = parse(line);
    CHECK(std::string(d["event_type"].GetString()) == "stats");
    CHECK(d["stats"]["decoder"]["pkts"].GetUint64() == 10);
    CHECK(d["stats"]["decoder"]["event"]["ipv4_truncated"].GetUint64() == 3);
    CHECK(d["stats"]["capture"]["kernel_drops"].GetUint64() == 5);
    CHECK(d["stats"]["flow"]["active"].GetUint64() == 2);
}

TEST_CASE("ban events carry action, reason, address, alert and dry_run", "[output]") {
    mitigate::BanEvent ev;
    ev.ts = 1362692526869344000ULL;
    ev.action = mitigate::BanAction::kBan;
    ev.ip = *IpAddr::parse("2001:db8::9");
    ev.alert_id = 77;
    ev.kind = detect::AlertKind::kSynFlood;
    ev.expires = ev.ts + 600 * kNsPerSec;
    ev.ban_seconds = 600;
    ev.dry_run = false;
    std::string line;
    output::append_ban_event(line, ev);
    auto d = parse(line);
    CHECK(std::string(d["event_type"].GetString()) == "ban");
    CHECK(std::string(d["src_ip"].GetString()) == "2001:db8::9");
    const auto& b = d["ban"];
    CHECK(std::string(b["action"].GetString()) == "ban");
    CHECK_FALSE(b.HasMember("reason"));
    CHECK(b["alert_id"].GetUint64() == 77);
    CHECK(std::string(b["kind"].GetString()) == "syn_flood");
    CHECK(std::string(b["expires"].GetString()) == "2013-03-07T21:52:06.869344+0000");
    CHECK(b["ban_seconds"].GetUint() == 600);
    CHECK_FALSE(b["dry_run"].GetBool());

    mitigate::BanEvent skip;
    skip.ts = ev.ts;
    skip.action = mitigate::BanAction::kSkip;
    skip.reason = "allowlisted";
    skip.ip = *IpAddr::parse("192.0.2.1");
    skip.dry_run = true;
    line.clear();
    output::append_ban_event(line, skip);
    auto s = parse(line);
    CHECK(std::string(s["ban"]["action"].GetString()) == "skip");
    CHECK(std::string(s["ban"]["reason"].GetString()) == "allowlisted");
    CHECK_FALSE(s["ban"].HasMember("alert_id"));
    CHECK_FALSE(s["ban"].HasMember("kind"));
    CHECK_FALSE(s["ban"].HasMember("expires"));
    CHECK(s["ban"]["dry_run"].GetBool());
}
