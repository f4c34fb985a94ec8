// Link types and layer 2: Ethernet, VLAN stacks, MPLS, ARP, PPPoE, SLL/SLL2, NULL/LOOP, raw IP, PPP.
#include <catch2/catch.hpp>

#include "decode_test_util.hpp"

using namespace nms;
using namespace nms::decode;
using nms::test::decode_bytes;
using nms::test::decode_fixture;
using nms::test::ip;
using nms::test::mac;

TEST_CASE("Ethernet + 802.1Q: MACs, VLAN id, innermost ethertype", "[decode]") {
    auto d = decode_fixture("eth_vlan_tcp_syn");
    const PacketView& pv = d.pv;
    REQUIRE(pv.status == DecodeStatus::kFlow);
    CHECK(pv.event == DecodeEvent::kNone);
    CHECK(pv.has_eth);
    CHECK(mac(pv.src_mac) == "c8:bc:c8:96:d2:a0");
    CHECK(mac(pv.dst_mac) == "00:10:db:88:d2:ef");
    CHECK(pv.vlan_count == 1);
    CHECK(pv.vlan_ids[0] == 0);  // priority-tagged (PCP 5, id 0)
    CHECK(pv.ethertype == 0x0800);
    CHECK(pv.l3 == L3::kIpv4);
    CHECK(pv.l3_off == 18);
    CHECK(pv.src_ip == ip("141.142.228.5"));
    CHECK(pv.dst_ip == ip("192.150.187.43"));
    CHECK(pv.caplen == 82);
    CHECK(pv.wirelen == 82);
    CHECK(pv.ts_ns == 1);
    CHECK(pv.link == LinkType::kEthernet);
}

TEST_CASE("QinQ (802.1ad + 802.1Q) keeps both tags", "[decode]") {
    auto d = decode_fixture("eth_qinq_tcp_synack");
    REQUIRE(d.pv.status == DecodeStatus::kFlow);
    CHECK(d.pv.vlan_count == 2);
    CHECK(d.pv.l3_off == 22);
    CHECK(d.pv.src_ip == ip("192.150.187.43"));
    CHECK(d.pv.src_port == 80);
}

TEST_CASE("Three VLAN tags: ids outermost first, key uses the outermost", "[decode]") {
    auto d = decode_fixture("eth_qinqinq_tcp_http");
    REQUIRE(d.pv.status == DecodeStatus::kFlow);
    CHECK(d.pv.vlan_count == 3);
    CHECK(d.pv.vlan_ids[0] == 30);
    CHECK(d.pv.vlan_ids[1] == 20);
    CHECK(d.pv.vlan_ids[2] == 10);
    CHECK(d.pv.key.vlan == 30);
    CHECK(d.pv.l3_off == 26);
}

TEST_CASE("VLAN stacks deeper than three are walked - beyond the layer cap they are invalid", "[decode]") {
    auto base = test::load_hex_fixture("eth_ipv4_udp_dns").bytes;
    auto with_tags = [&](int tags) {
        std::vector<uint8_t> f(base.begin(), base.begin() + 12);
        for (int i = 0; i < tags; ++i) {
            f.insert(f.end(), {0x81, 0x00, 0x00, static_cast<uint8_t>(i + 1)});
        }
        f.insert(f.end(), base.begin() + 12, base.end());
        return f;
    };
    auto five = decode_bytes(LinkType::kEthernet, with_tags(5));
    REQUIRE(five.pv.status == DecodeStatus::kFlow);
    CHECK(five.pv.vlan_count == 3);
    CHECK(five.pv.vlan_ids[0] == 1);
    CHECK(five.pv.vlan_ids[2] == 3);
    CHECK(five.pv.dst_port == 32795);

    auto many = decode_bytes(LinkType::kEthernet, with_tags(40));
    CHECK(many.pv.status == DecodeStatus::kInvalid);
    CHECK(many.pv.event == DecodeEvent::kTooManyLayers);
}

TEST_CASE("ARP request fills ArpInfo", "[decode]") {
    auto d = decode_fixture("eth_arp_request");
    const PacketView& pv = d.pv;
    REQUIRE(pv.status == DecodeStatus::kNonIp);
    CHECK(pv.event == DecodeEvent::kNone);
    CHECK(pv.l3 == L3::kArp);
    CHECK(pv.l3_off == 14);
    CHECK(pv.ethertype == 0x0806);
    CHECK(pv.arp.op == 1);
    CHECK(mac(pv.arp.sender_mac) == "78:31:c1:c6:3f:c2");
    CHECK(pv.arp.sender_ip == ip("10.0.0.2"));
    CHECK(mac(pv.arp.target_mac) == "00:00:00:00:00:00");
    CHECK(pv.arp.target_ip == ip("10.0.0.1"));
    CHECK(mac(pv.dst_mac) == "ff:ff:ff:ff:ff:ff");
}

TEST_CASE("ARP reply with Ethernet padding", "[decode]") {
    auto d = decode_fixture("eth_arp_reply_padded");
    REQUIRE(d.pv.status == DecodeStatus::kNonIp);
    CHECK(d.pv.event == DecodeEvent::kNone);
    CHECK(d.pv.arp.op == 2);
    CHECK(mac(d.pv.arp.sender_mac) == "f8:ed:a5:c0:a4:f1");
    CHECK(d.pv.arp.sender_ip == ip("10.0.0.1"));
    CHECK(mac(d.pv.arp.target_mac) == "78:31:c1:c6:3f:c2");
    CHECK(d.pv.arp.target_ip == ip("10.0.0.2"));
}

TEST_CASE("LLDP is a valid non-IP frame without event", "[decode]") {
    auto d = decode_fixture("eth_lldp");
    CHECK(d.pv.status == DecodeStatus::kNonIp);
    CHECK(d.pv.event == DecodeEvent::kNone);
    CHECK(d.pv.ethertype == 0x88cc);
    CHECK(d.pv.l3 == L3::kOther);
    CHECK(mac(d.pv.src_mac) == "00:22:2d:81:db:10");
}

TEST_CASE("802.3 length frames (LLC) are non-IP - unknown ethertypes are counted", "[decode]") {
    std::vector<uint8_t> llc = {0x01, 0x80, 0xc2, 0,    0,    0,    0x02, 0,    0,    0,
                                0,    1,    0x00, 0x26, 0x42, 0x42, 0x03, 0x00, 0x00, 0x00};
    auto d = decode_bytes(LinkType::kEthernet, llc);
    CHECK(d.pv.status == DecodeStatus::kNonIp);
    CHECK(d.pv.event == DecodeEvent::kNone);
    CHECK(d.pv.ethertype == 0x0026);

    std::vector<uint8_t> odd = llc;
    odd[12] = 0x12;
    odd[13] = 0x34;
    auto u = decode_bytes(LinkType::kEthernet, odd);
    CHECK(u.pv.status == DecodeStatus::kNonIp);
    CHECK(u.pv.event == DecodeEvent::kUnknownEthertype);
}

TEST_CASE("MPLS label stack then IPv4 by first nibble", "[decode]") {
    auto d = decode_fixture("eth_mpls_ipv4_udp");
    REQUIRE(d.pv.status == DecodeStatus::kFlow);
    CHECK(d.pv.event == DecodeEvent::kNone);
    CHECK(d.pv.mpls_labels == 2);
    CHECK(d.pv.l3_off == 22);
    CHECK(d.pv.ethertype == 0x0800);
    CHECK(d.pv.src_ip == ip("192.168.170.20"));
    CHECK(d.pv.src_port == 53);
    CHECK(d.pv.tunnel == TunnelType::kNone);  // a shim, not a tunnel
    CHECK(d.pv.key.tunnel_type == 0);
}

TEST_CASE("MPLS with an unknown payload nibble is non-IP with an event", "[decode]") {
    auto f = test::load_hex_fixture("eth_mpls_ipv4_udp").bytes;
    f[22] = 0x95;
    auto d = decode_bytes(LinkType::kEthernet, f);
    CHECK(d.pv.status == DecodeStatus::kNonIp);
    CHECK(d.pv.event == DecodeEvent::kMplsUnknownPayload);
}

TEST_CASE("PPPoE session carrying IPv4", "[decode]") {
    auto d = decode_fixture("eth_pppoe_ipv4_udp");
    REQUIRE(d.pv.status == DecodeStatus::kFlow);
    CHECK(d.pv.event == DecodeEvent::kNone);
    CHECK(d.pv.l3_off == 22);
    CHECK(d.pv.dst_ip == ip("192.168.170.8"));
    CHECK(d.pv.dst_port == 32795);
}

TEST_CASE("Linux SLL and SLL2", "[decode]") {
    for (const char* name : {"sll_ipv6_udp", "sll2_ipv6_udp"}) {
        INFO(name);
        auto fx = test::load_hex_fixture(name);
        auto d = decode_fixture(fx);
        REQUIRE(d.pv.status == DecodeStatus::kFlow);
        CHECK(d.pv.event == DecodeEvent::kNone);
        CHECK_FALSE(d.pv.has_eth);
        CHECK(d.pv.l3 == L3::kIpv6);
        CHECK(d.pv.l3_off == (fx.linktype == 113 ? 16 : 20));
        CHECK(d.pv.src_ip == ip("::1"));
        CHECK(d.pv.src_port == 42086);
        CHECK(d.pv.dst_port == 4443);
        CHECK(d.pv.ttl == 64);
        CHECK(d.pv.payload.size == 55);
    }
}

TEST_CASE("NULL (host order) and LOOP (network order) loopback headers", "[decode]") {
    for (const char* name : {"null_ipv4_tcp_syn", "loop_ipv4_tcp_syn"}) {
        INFO(name);
        auto d = decode_fixture(name);
        REQUIRE(d.pv.status == DecodeStatus::kFlow);
        CHECK(d.pv.l3_off == 4);
        CHECK(d.pv.src_ip == ip("172.16.2.185"));
        CHECK(d.pv.dst_ip == ip("192.168.2.142"));
        CHECK(d.pv.src_port == 52494);
        CHECK(d.pv.dst_port == 3389);
        CHECK(d.pv.tcp_flags == (kTcpSyn | kTcpEce | kTcpCwr));
        CHECK(d.pv.tcp_opts.mss == 1273);
        CHECK(d.pv.tcp_opts.wscale == 5);
    }
    // NULL written by a big-endian host, and AF_INET6 as FreeBSD numbers it.
    auto f = test::load_hex_fixture("null_ipv4_tcp_syn").bytes;
    f[0] = 0;
    f[3] = 2;
    CHECK(decode_bytes(LinkType::kNull, f).pv.status == DecodeStatus::kFlow);
    f[3] = 28;  // says IPv6, but the packet is IPv4
    CHECK(decode_bytes(LinkType::kNull, f).pv.event == DecodeEvent::kIpv6BadVersion);
    f[3] = 7;  // unknown family
    CHECK(decode_bytes(LinkType::kNull, f).pv.status == DecodeStatus::kNonIp);
}

TEST_CASE("Raw IP and LINKTYPE_IPV4", "[decode]") {
    auto r = decode_fixture("raw_ipv4_udp");
    REQUIRE(r.pv.status == DecodeStatus::kFlow);
    CHECK(r.pv.l3_off == 0);
    CHECK(r.pv.src_ip == ip("10.230.40.168"));
    CHECK(r.pv.dst_ip == ip("94.97.225.146"));
    CHECK(r.pv.src_port == 62196);
    CHECK(r.pv.dst_port == 443);
    CHECK(r.pv.payload.size == 32);

    auto six = decode_fixture("sll_ipv6_udp");
    std::vector<uint8_t> v6(six.buf.get() + 16, six.buf.get() + six.pv.caplen);
    auto r6 = decode_bytes(LinkType::kRaw, v6);
    CHECK(r6.pv.status == DecodeStatus::kFlow);
    CHECK(r6.pv.l3 == L3::kIpv6);
    CHECK(decode_bytes(LinkType::kIpv6, v6).pv.status == DecodeStatus::kFlow);
    CHECK(decode_bytes(LinkType::kIpv4, v6).pv.event == DecodeEvent::kIpv4BadVersion);
}

TEST_CASE("LINKTYPE_PPP carrying IPv4", "[decode]") {
    auto d = decode_fixture("ppp_ipv4_udp");
    REQUIRE(d.pv.status == DecodeStatus::kFlow);
    CHECK(d.pv.event == DecodeEvent::kNone);
    CHECK(d.pv.l3_off == 2);  // protocol field only, no address/control
    CHECK(d.pv.src_ip == ip("193.167.0.252"));
    CHECK(d.pv.dst_ip == ip("193.167.100.100"));
    CHECK(d.pv.ttl == 63);
    CHECK(d.pv.ip_df);
    CHECK(d.pv.src_port == 44083);
    CHECK(d.pv.dst_port == 443);
    CHECK(d.pv.payload.size == 1200);

    // HDLC-like framing (ff 03) and a compressed protocol field.
    std::vector<uint8_t> hdlc = {0xff, 0x03, 0x21};
    auto ipv4 = test::load_hex_fixture("ppp_ipv4_udp").bytes;
    hdlc.insert(hdlc.end(), ipv4.begin() + 2, ipv4.end());
    auto h = decode_bytes(LinkType::kPppHdlc, hdlc);
    CHECK(h.pv.status == DecodeStatus::kFlow);
    CHECK(h.pv.l3_off == 3);
    // LCP is a valid control frame.
    std::vector<uint8_t> lcp = {0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x04};
    auto l = decode_bytes(LinkType::kPpp, lcp);
    CHECK(l.pv.status == DecodeStatus::kNonIp);
    CHECK(l.pv.event == DecodeEvent::kNone);
}

TEST_CASE("Zero length, null data and unknown link types", "[decode]") {
    PacketView pv;
    const uint8_t byte = 0x45;
    CHECK(decode_packet(LinkType::kEthernet, &byte, 0, 60, 0, pv) == DecodeStatus::kInvalid);
    CHECK(pv.event == DecodeEvent::kZeroLength);
    CHECK(decode_packet(LinkType::kEthernet, nullptr, 10, 60, 0, pv) == DecodeStatus::kInvalid);
    CHECK(pv.event == DecodeEvent::kZeroLength);
    CHECK(decode_packet(static_cast<LinkType>(147), &byte, 1, 1, 0, pv) == DecodeStatus::kInvalid);
    CHECK(pv.event == DecodeEvent::kUnknownLinkType);
}

TEST_CASE("is_supported_link_type matches the LinkType values", "[decode]") {
    for (int lt : {0, 1, 9, 50, 101, 108, 113, 228, 229, 276}) {
        INFO(lt);
        CHECK(is_supported_link_type(lt));
    }
    for (int lt : {-1, 2, 12, 105, 127, 147, 192, 65535}) {
        INFO(lt);
        CHECK_FALSE(is_supported_link_type(lt));
    }
}

TEST_CASE("decode_packet resets the view between packets", "[decode]") {
    auto tcp = test::load_hex_fixture("eth_qinqinq_tcp_http");
    auto arp = test::load_hex_fixture("eth_arp_request");
    PacketView pv;
    decode_packet(tcp.link(), tcp.bytes.data(), tcp.size(), tcp.size(), 5, pv);
    REQUIRE(pv.vlan_count == 3);
    decode_packet(arp.link(), arp.bytes.data(), arp.size(), arp.size(), 6, pv);
    CHECK(pv.status == DecodeStatus::kNonIp);
    CHECK(pv.vlan_count == 0);
    CHECK(pv.src_port == 0);
    CHECK(pv.payload.size == 0);
    CHECK(pv.tcp_opts.wscale == 0xff);
    CHECK(pv.key == FlowKey{});
    CHECK(pv.ts_ns == 6);
}
