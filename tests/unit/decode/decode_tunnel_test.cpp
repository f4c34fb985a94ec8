// Tunnels: decapsulation to the innermost flow, the outermost tunnel recorded, and the
// fallback to the outer flow when a tunnel header does not check out.
#include <catch2/catch.hpp>

#include "decode_test_util.hpp"

using namespace nms;
using namespace nms::decode;
using nms::test::decode_bytes;
using nms::test::decode_fixture;
using nms::test::ip;
using nms::test::mac;

namespace {
void set_ipv4_total(std::vector<uint8_t>& f, size_t l3_off, size_t total) {
    f[l3_off + 2] = static_cast<uint8_t>(total >> 8);
    f[l3_off + 3] = static_cast<uint8_t>(total);
}
}  // namespace

TEST_CASE("VXLAN: inner TCP flow, VNI in view and key, outer MACs kept", "[decode]") {
    auto d = decode_fixture("eth_vxlan_tcp_http");
    const PacketView& pv = d.pv;
    REQUIRE(pv.status == DecodeStatus::kFlow);
    CHECK(pv.event == DecodeEvent::kNone);
    CHECK(pv.tunnel == TunnelType::kVxlan);
    CHECK(pv.tunnel_id == 1);
    CHECK(pv.tunnel_depth == 1);
    CHECK(mac(pv.src_mac) == "12:42:cd:c5:e8:22");
    CHECK(pv.l3_off == 64);
    CHECK(pv.src_ip == ip("172.16.11.201"));
    CHECK(pv.dst_ip == ip("54.86.237.188"));
    CHECK(pv.ip_proto == kIpProtoTcp);
    CHECK(pv.src_port == 40354);
    CHECK(pv.dst_port == 80);
    CHECK(pv.payload.size == 87);
    CHECK(d.payload_text().rfind("GET ", 0) == 0);
    CHECK(pv.key.tunnel_type == static_cast<uint8_t>(TunnelType::kVxlan));
    CHECK(pv.key.tunnel_id == 1);
    CHECK(pv.key.proto == kIpProtoTcp);
}

TEST_CASE("VXLAN port without the VNI flag stays a UDP flow", "[decode]") {
    auto f = test::load_hex_fixture("eth_vxlan_tcp_http").bytes;
    f[42] = 0x00;
    auto d = decode_bytes(LinkType::kEthernet, f);
    REQUIRE(d.pv.status == DecodeStatus::kFlow);
    CHECK(d.pv.event == DecodeEvent::kNone);
    CHECK(d.pv.tunnel == TunnelType::kNone);
    CHECK(d.pv.src_ip == ip("10.1.200.131"));
    CHECK(d.pv.src_port == 50000);
    CHECK(d.pv.dst_port == 4789);
    CHECK(d.pv.payload.size == 161);
}

TEST_CASE("VXLAN whose inner IP header is broken is invalid", "[decode]") {
    auto f = test::load_hex_fixture("eth_vxlan_tcp_http").bytes;
    f[64] = 0x55;
    auto d = decode_bytes(LinkType::kEthernet, f);
    CHECK(d.pv.status == DecodeStatus::kInvalid);
    CHECK(d.pv.event == DecodeEvent::kIpv4BadVersion);
}

TEST_CASE("GENEVE with options: inner ICMP echo", "[decode]") {
    auto d = decode_fixture("eth_geneve_icmp");
    const PacketView& pv = d.pv;
    REQUIRE(pv.status == DecodeStatus::kFlow);
    CHECK(pv.event == DecodeEvent::kNone);
    CHECK(pv.tunnel == TunnelType::kGeneve);
    CHECK(pv.tunnel_id == 0);
    CHECK(pv.l3_off == 72);
    CHECK(pv.src_ip == ip("30.0.0.1"));
    CHECK(pv.dst_ip == ip("30.0.0.2"));
    CHECK(pv.ip_proto == kIpProtoIcmp);
    CHECK(pv.icmp_type == 8);
    CHECK(pv.icmp_id == 16816);
    CHECK(pv.key.tunnel_type == static_cast<uint8_t>(TunnelType::kGeneve));
}

TEST_CASE("GRE v0 around IPv4", "[decode]") {
    auto d = decode_fixture("eth_gre_icmp");
    const PacketView& pv = d.pv;
    REQUIRE(pv.status == DecodeStatus::kFlow);
    CHECK(pv.event == DecodeEvent::kNone);
    CHECK(pv.tunnel == TunnelType::kGre);
    CHECK(pv.tunnel_id == 0);
    CHECK(pv.l3_off == 38);
    CHECK(pv.src_ip == ip("66.59.111.190"));
    CHECK(pv.dst_ip == ip("172.28.2.3"));
    CHECK(pv.icmp_type == 8);
    CHECK(pv.icmp_id == 52072);
}

TEST_CASE("GRE v0 with key and transparent Ethernet bridging", "[decode]") {
    auto d = decode_fixture("eth_gre_key_teb_icmp");
    const PacketView& pv = d.pv;
    REQUIRE(pv.status == DecodeStatus::kFlow);
    CHECK(pv.event == DecodeEvent::kNone);
    CHECK(pv.tunnel == TunnelType::kGre);
    CHECK(pv.tunnel_id == 100);
    CHECK(pv.key.tunnel_id == 100);
    CHECK(mac(pv.src_mac) == "02:00:00:00:00:01");
    CHECK(pv.l3_off == 56);
    CHECK(pv.src_ip == ip("192.168.154.131"));
    CHECK(pv.icmp_id == 65279);
}

TEST_CASE("Enhanced GRE (PPTP) with PPP around IPv4/UDP", "[decode]") {
    auto d = decode_fixture("eth_vlan_gre_ppp_udp");
    const PacketView& pv = d.pv;
    REQUIRE(pv.status == DecodeStatus::kFlow);
    CHECK(pv.event == DecodeEvent::kNone);
    CHECK(pv.vlan_count == 1);
    CHECK(pv.vlan_ids[0] == 142);
    CHECK(pv.key.vlan == 142);
    CHECK(pv.tunnel == TunnelType::kGre);
    CHECK(pv.tunnel_id == 0);  // the PPTP call id differs per direction
    CHECK(pv.l3_off == 58);
    CHECK(pv.src_ip == ip("192.168.10.210"));
    CHECK(pv.dst_ip == ip("192.168.103.40"));
    CHECK(pv.src_port == 5060);
    CHECK(pv.dst_port == 5060);
    CHECK(pv.payload.size == 298);
}

TEST_CASE("PPTP carrying non-IP PPP stays a GRE flow", "[decode]") {
    auto f = test::load_hex_fixture("eth_vlan_gre_ppp_udp").bytes;
    f[56] = 0x00;
    f[57] = 0xfd;  // MPPE-compressed datagram
    auto d = decode_bytes(LinkType::kEthernet, f);
    REQUIRE(d.pv.status == DecodeStatus::kFlow);
    CHECK(d.pv.event == DecodeEvent::kNone);
    CHECK(d.pv.tunnel == TunnelType::kNone);
    CHECK(d.pv.ip_proto == kIpProtoGre);
    CHECK(d.pv.src_ip == ip("109.105.228.253"));
}

TEST_CASE("GRE that cannot be decapsulated stays an outer GRE flow with an event", "[decode]") {
    const auto base = test::load_hex_fixture("eth_gre_icmp").bytes;
    SECTION("truncated GRE header") {
        std::vector<uint8_t> f(base.begin(), base.begin() + 14 + 20 + 2);
        set_ipv4_total(f, 14, 22);
        auto d = decode_bytes(LinkType::kEthernet, f);
        CHECK(d.pv.status == DecodeStatus::kFlow);
        CHECK(d.pv.event == DecodeEvent::kGreTruncated);
        CHECK(d.pv.ip_proto == kIpProtoGre);
        CHECK(d.pv.src_ip == ip("172.27.1.66"));
        CHECK(d.pv.key.tunnel_type == 0);
    }
    SECTION("unsupported version") {
        auto f = base;
        f[35] = 0x02;
        auto d = decode_bytes(LinkType::kEthernet, f);
        CHECK(d.pv.status == DecodeStatus::kFlow);
        CHECK(d.pv.event == DecodeEvent::kGreUnsupported);
        CHECK(d.pv.dst_ip == ip("66.59.109.137"));
    }
    SECTION("ERSPAN protocol type") {
        auto f = base;
        f[36] = 0x88;
        f[37] = 0xbe;
        auto d = decode_bytes(LinkType::kEthernet, f);
        CHECK(d.pv.status == DecodeStatus::kFlow);
        CHECK(d.pv.event == DecodeEvent::kGreUnsupported);
    }
    SECTION("inner header with the wrong version") {
        auto f = base;
        f[38] = 0x65;
        auto d = decode_bytes(LinkType::kEthernet, f);
        CHECK(d.pv.status == DecodeStatus::kFlow);
        CHECK(d.pv.event == DecodeEvent::kTunnelInnerInvalid);
        CHECK(d.pv.tunnel == TunnelType::kNone);
    }
}

TEST_CASE("6in4: inner IPv6/TCP", "[decode]") {
    auto d = decode_fixture("eth_6in4_tcp_syn");
    const PacketView& pv = d.pv;
    REQUIRE(pv.status == DecodeStatus::kFlow);
    CHECK(pv.event == DecodeEvent::kNone);
    CHECK(pv.tunnel == TunnelType::kIpInIp);
    CHECK(pv.l3 == L3::kIpv6);
    CHECK(pv.l3_off == 34);
    CHECK(pv.src_ip == ip("2001:470:1f17:13f:3e97:eff:fe73:4dec"));
    CHECK(pv.dst_ip == ip("2a03:2880:1010:6f03:face:b00c:0:2"));
    CHECK(pv.src_port == 53234);
    CHECK(pv.dst_port == 443);
    CHECK(pv.tcp_flags == kTcpSyn);
    CHECK(pv.tcp_opts.mss == 1440);
    CHECK(pv.tcp_opts.wscale == 7);
    CHECK(pv.ttl == 63);  // inner hop limit, not the outer TTL
}

TEST_CASE("ICMPv6 error quoting a TCP packet is not descended into", "[decode]") {
    auto d = decode_fixture("eth_6in4_icmpv6_quote");
    const PacketView& pv = d.pv;
    REQUIRE(pv.status == DecodeStatus::kFlow);
    CHECK(pv.tunnel == TunnelType::kIpInIp);
    CHECK(pv.src_ip == ip("2001:470:1f16:13f::2"));
    CHECK(pv.dst_ip == ip("2604:a880:1:20::224:b001"));
    CHECK(pv.ip_proto == kIpProtoIcmpv6);
    CHECK(pv.icmp_type == 1);
    CHECK(pv.src_port == 0);
    CHECK(pv.tcp_flags == 0);
    CHECK(pv.key.proto == kIpProtoIcmpv6);
    CHECK(pv.payload.size > 40);  // the quoted packet stays payload
}

TEST_CASE("IP-in-IP whose inner header is cut stays an outer flow", "[decode]") {
    auto f = test::load_hex_fixture("eth_6in4_tcp_syn").bytes;
    f.resize(14 + 20 + 30);
    set_ipv4_total(f, 14, 50);
    auto d = decode_bytes(LinkType::kEthernet, f);
    CHECK(d.pv.status == DecodeStatus::kFlow);
    CHECK(d.pv.event == DecodeEvent::kIpv6Truncated);
    CHECK(d.pv.ip_proto == 41);
    CHECK(d.pv.key.proto == 41);
    CHECK(d.pv.src_ip == ip("174.3.73.24"));
}

TEST_CASE("Teredo: IPv6/ICMPv6 echo inside UDP 3544", "[decode]") {
    auto d = decode_fixture("eth_teredo_icmpv6_echo");
    const PacketView& pv = d.pv;
    REQUIRE(pv.status == DecodeStatus::kFlow);
    CHECK(pv.event == DecodeEvent::kNone);
    CHECK(pv.tunnel == TunnelType::kTeredo);
    CHECK(pv.l3_off == 42);
    CHECK(pv.src_ip == ip("2001:0:c288:1c4c:20f3:359b:46f9:3f46"));
    CHECK(pv.dst_ip == ip("2002:c288:1c4c::c288:1c4d"));
    CHECK(pv.ip_proto == kIpProtoIcmpv6);
    CHECK(pv.icmp_type == 128);
    CHECK(pv.icmp_id == 0x28f0);
}

TEST_CASE("Teredo bubble (origin indication, no next header) stays the tunnel's UDP flow", "[decode]") {
    auto d = decode_fixture("eth_teredo_origin_bubble");
    const PacketView& pv = d.pv;
    REQUIRE(pv.status == DecodeStatus::kFlow);
    CHECK(pv.event == DecodeEvent::kNone);
    CHECK(pv.tunnel == TunnelType::kNone);
    CHECK(pv.src_ip == ip("194.136.28.76"));
    CHECK(pv.src_port == 3544);
    CHECK(pv.dst_port == 51812);
    CHECK(pv.payload.size == 48);

    // The same packet with a payload behind the IPv6 header is decapsulated.
    auto f = test::load_hex_fixture("eth_teredo_origin_bubble").bytes;
    f[42 + 8 + 6] = 58;  // next header ICMPv6, payload length 8: an echo request
    f[42 + 8 + 5] = 8;
    f.insert(f.end(), {128, 0, 0, 0, 0x12, 0x34, 0, 1});
    const auto udp_len = static_cast<uint16_t>(f.size() - 34);
    f[38] = static_cast<uint8_t>(udp_len >> 8);
    f[39] = static_cast<uint8_t>(udp_len);
    f[16] = static_cast<uint8_t>((udp_len + 20) >> 8);
    f[17] = static_cast<uint8_t>(udp_len + 20);
    auto e = decode_bytes(LinkType::kEthernet, f);
    REQUIRE(e.pv.status == DecodeStatus::kFlow);
    CHECK(e.pv.event == DecodeEvent::kNone);
    CHECK(e.pv.tunnel == TunnelType::kTeredo);
    CHECK(e.pv.l3_off == 50);
    CHECK(e.pv.src_ip == ip("fe80::8000:f227:3d77:e3b3"));
    CHECK(e.pv.icmp_type == 128);
    CHECK(e.pv.icmp_id == 0x1234);
}

TEST_CASE("GTP-U with a sequence number - the capture dropped only the trailer", "[decode]") {
    auto fx = test::load_hex_fixture("eth_gtpu_seq_tcp_syn");
    REQUIRE(fx.wirelen == 118);
    auto d = decode_fixture(fx);
    const PacketView& pv = d.pv;
    REQUIRE(pv.status == DecodeStatus::kFlow);
    CHECK(pv.event == DecodeEvent::kNone);  // the 4 missing bytes were after the IP packet
    CHECK(pv.wirelen == 118);
    CHECK(pv.caplen == 114);
    CHECK(pv.tunnel == TunnelType::kGtpU);
    CHECK(pv.tunnel_id == 0);  // TEIDs differ per direction
    CHECK(pv.l3_off == 14 + 20 + 8 + 12);
    CHECK(pv.src_ip == ip("192.168.147.177"));
    CHECK(pv.dst_ip == ip("151.121.193.160"));
    CHECK(pv.src_port == 58496);
    CHECK(pv.dst_port == 443);
    CHECK(pv.tcp_flags == kTcpSyn);
    CHECK(pv.tcp_opts.mss == 1460);
    CHECK(pv.payload.size == 0);
}

TEST_CASE("GTP-U both directions: one flow although the TEIDs differ", "[decode]") {
    auto syn = decode_fixture("eth_gtpu_seq_tcp_syn");
    auto synack = decode_fixture("eth_gtpu_tcp_synack");
    REQUIRE(synack.pv.status == DecodeStatus::kFlow);
    CHECK(synack.pv.event == DecodeEvent::kNone);
    CHECK(synack.pv.l3_off == 14 + 20 + 8 + 8);
    CHECK(synack.pv.tcp_flags == (kTcpSyn | kTcpAck));
    CHECK(synack.pv.key == syn.pv.key);
    CHECK(synack.pv.swapped != syn.pv.swapped);
}

TEST_CASE("GTP-U behind two VLAN tags: inner UDP", "[decode]") {
    auto d = decode_fixture("eth_qinq_gtpu_udp_dtls");
    const PacketView& pv = d.pv;
    REQUIRE(pv.status == DecodeStatus::kFlow);
    CHECK(pv.event == DecodeEvent::kNone);
    CHECK(pv.vlan_count == 2);
    CHECK(pv.vlan_ids[0] == 3243);
    CHECK(pv.vlan_ids[1] == 10);
    CHECK(pv.tunnel == TunnelType::kGtpU);
    CHECK(pv.src_ip == ip("10.191.227.13"));
    CHECK(pv.dst_ip == ip("157.240.16.128"));
    CHECK(pv.src_port == 54162);
    CHECK(pv.dst_port == 3478);
    CHECK(pv.payload.size == 204 - 8);
}

TEST_CASE("GTP-U messages other than G-PDU stay UDP", "[decode]") {
    auto f = test::load_hex_fixture("eth_gtpu_tcp_synack").bytes;
    f[43] = 1;  // echo request
    auto d = decode_bytes(LinkType::kEthernet, f);
    REQUIRE(d.pv.status == DecodeStatus::kFlow);
    CHECK(d.pv.tunnel == TunnelType::kNone);
    CHECK(d.pv.dst_port == 2152);
}

TEST_CASE("UDP 3544 that is not IPv6 stays UDP", "[decode]") {
    auto f = test::load_hex_fixture("eth_ipv4_udp_dns").bytes;
    f[34] = 0x0d;
    f[35] = 0xd8;  // source port 3544, payload is DNS
    auto d = decode_bytes(LinkType::kEthernet, f);
    REQUIRE(d.pv.status == DecodeStatus::kFlow);
    CHECK(d.pv.event == DecodeEvent::kNone);
    CHECK(d.pv.tunnel == TunnelType::kNone);
    CHECK(d.pv.src_port == 3544);
    CHECK(d.pv.payload.size == 34);
}

TEST_CASE("Nested tunnels: the outermost one is recorded, the innermost flow decoded", "[decode]") {
    // GRE (key 100, TEB) around the VXLAN fixture.
    const auto gre = test::load_hex_fixture("eth_gre_key_teb_icmp").bytes;
    const auto vxlan = test::load_hex_fixture("eth_vxlan_tcp_http").bytes;
    std::vector<uint8_t> f(gre.begin(), gre.begin() + 14 + 20 + 8);
    f.insert(f.end(), vxlan.begin(), vxlan.end());
    set_ipv4_total(f, 14, f.size() - 14);
    auto d = decode_bytes(LinkType::kEthernet, f);
    REQUIRE(d.pv.status == DecodeStatus::kFlow);
    CHECK(d.pv.event == DecodeEvent::kNone);
    CHECK(d.pv.tunnel == TunnelType::kGre);
    CHECK(d.pv.tunnel_id == 100);
    CHECK(d.pv.tunnel_depth == 2);
    CHECK(d.pv.src_ip == ip("172.16.11.201"));
    CHECK(d.pv.dst_port == 80);
    CHECK(d.pv.key.tunnel_type == static_cast<uint8_t>(TunnelType::kGre));
}

TEST_CASE("A tunnel loop is stopped by the layer cap", "[decode]") {
    // IPv4 proto 4 nested 20 deep.
    const auto base = test::load_hex_fixture("eth_ipv4_udp_dns").bytes;
    std::vector<uint8_t> ipv4(base.begin() + 14, base.end());
    std::vector<uint8_t> inner = ipv4;
    for (int i = 0; i < 20; ++i) {
        std::vector<uint8_t> outer(ipv4.begin(), ipv4.begin() + 20);
        outer[9] = 4;
        outer.insert(outer.end(), inner.begin(), inner.end());
        set_ipv4_total(outer, 0, outer.size());
        inner = outer;
    }
    std::vector<uint8_t> f(base.begin(), base.begin() + 14);
    f.insert(f.end(), inner.begin(), inner.end());
    auto d = decode_bytes(LinkType::kEthernet, f);
    CHECK(d.pv.status == DecodeStatus::kInvalid);
    CHECK(d.pv.event == DecodeEvent::kTooManyLayers);
}
