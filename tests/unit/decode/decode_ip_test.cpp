// IPv4 and IPv6: header fields, fragments, extension headers, length clipping, malformed headers.
#include <catch2/catch.hpp>

#include "decode_test_util.hpp"

using namespace nms;
using namespace nms::decode;
using nms::test::decode_bytes;
using nms::test::decode_fixture;
using nms::test::ip;

TEST_CASE("IPv4 header fields", "[decode]") {
    auto d = decode_fixture("eth_vlan_tcp_syn");
    const PacketView& pv = d.pv;
    REQUIRE(pv.status == DecodeStatus::kFlow);
    CHECK(pv.ttl == 64);
    CHECK(pv.tos == 0);
    CHECK(pv.ip_id == 0xdf8e);
    CHECK(pv.ip_frag_id == 0xdf8e);
    CHECK(pv.ip_df);
    CHECK_FALSE(pv.is_fragment);
    CHECK_FALSE(pv.first_fragment);
    CHECK(pv.ip_payload_len == 44);
    CHECK(pv.ip_proto == kIpProtoTcp);
    CHECK(pv.l4_off == 38);
}

TEST_CASE("IPv4 first fragment carries ports - the trailer is not payload", "[decode]") {
    auto d = decode_fixture("eth_ipv4_frag_first");
    const PacketView& pv = d.pv;
    REQUIRE(pv.status == DecodeStatus::kFlow);
    CHECK(pv.is_fragment);
    CHECK(pv.first_fragment);
    CHECK(pv.frag_offset == 0);
    CHECK(pv.ip_frag_id == 0x00a0);
    CHECK(pv.ip_proto == kIpProtoTcp);
    CHECK(pv.src_port == 0x5e26);
    CHECK(pv.dst_port == 0x2a28);
    CHECK(pv.event == DecodeEvent::kTcpTruncated);  // 16 of the 20 header bytes in this fragment
    CHECK(pv.key.port_lo != 0);
}

TEST_CASE("IPv4 non-first fragment: a flow with ports 0 and no L4", "[decode]") {
    auto d = decode_fixture("eth_ipv4_frag_next");
    const PacketView& pv = d.pv;
    REQUIRE(pv.status == DecodeStatus::kFlow);
    CHECK(pv.event == DecodeEvent::kNone);
    CHECK(pv.is_fragment);
    CHECK_FALSE(pv.first_fragment);
    CHECK(pv.frag_offset == 16);
    CHECK(pv.ip_frag_id == 0x00a0);
    CHECK(pv.ip_proto == kIpProtoTcp);
    CHECK(pv.src_port == 0);
    CHECK(pv.dst_port == 0);
    CHECK(pv.l4_off == 0);
    CHECK(pv.payload.size == 0);
    CHECK(pv.key.proto == kIpProtoTcp);
    CHECK(pv.key.port_lo == 0);
    CHECK(pv.key.port_hi == 0);
    // Same shard as the first fragment: the shard hash ignores ports.
    auto first = decode_fixture("eth_ipv4_frag_first");
    CHECK(shard_hash(first.pv.key) == shard_hash(pv.key));
    CHECK(flow_hash(first.pv.key) != flow_hash(pv.key));
}

TEST_CASE("IPv6 header fields", "[decode]") {
    auto d = decode_fixture("eth_ipv6_udp_dns");
    const PacketView& pv = d.pv;
    REQUIRE(pv.status == DecodeStatus::kFlow);
    CHECK(pv.event == DecodeEvent::kNone);
    CHECK(pv.l3 == L3::kIpv6);
    CHECK(pv.l3_off == 14);
    CHECK(pv.src_ip == ip("2001:470:1f11:81f:d138:5f55:6d4:1fe2"));
    CHECK(pv.dst_ip == ip("2607:f740:b::f93"));
    CHECK(pv.ip_proto == kIpProtoUdp);
    CHECK(pv.l4_off == 54);
    CHECK(pv.src_port == 51850);
    CHECK(pv.dst_port == 53);
    CHECK(pv.ip_payload_len == 81);
    CHECK(pv.payload.size == 73);
}

TEST_CASE("IPv6 extension chain: hop-by-hop, destination options, routing, AH", "[decode]") {
    auto d = decode_fixture("eth_ipv6_ext_chain_udp");
    const PacketView& pv = d.pv;
    REQUIRE(pv.status == DecodeStatus::kFlow);
    CHECK(pv.event == DecodeEvent::kNone);
    CHECK(pv.ip_proto == kIpProtoUdp);
    CHECK(pv.l4_off == 54 + 8 + 8 + 8 + 24);
    CHECK(pv.src_port == 51850);
    CHECK(pv.dst_port == 53);
    CHECK(pv.payload.size == 73);
    CHECK_FALSE(pv.is_fragment);
}

TEST_CASE("IPv6 extension chains longer than the cap are invalid", "[decode]") {
    auto base = test::load_hex_fixture("eth_ipv6_udp_dns").bytes;
    auto chain = [&](int n) {
        std::vector<uint8_t> f(base.begin(), base.begin() + 54);
        f[20] = 60;  // next header: destination options
        for (int i = 0; i < n; ++i) {
            f.insert(f.end(), {static_cast<uint8_t>(i + 1 == n ? 17 : 60), 0, 1, 4, 0, 0, 0, 0});
        }
        f.insert(f.end(), base.begin() + 54, base.end());
        const auto plen = static_cast<uint16_t>(f.size() - 54);
        f[18] = static_cast<uint8_t>(plen >> 8);
        f[19] = static_cast<uint8_t>(plen);
        return f;
    };
    auto ok = decode_bytes(LinkType::kEthernet, chain(8));
    CHECK(ok.pv.status == DecodeStatus::kFlow);
    CHECK(ok.pv.dst_port == 53);
    auto bad = decode_bytes(LinkType::kEthernet, chain(9));
    CHECK(bad.pv.status == DecodeStatus::kInvalid);
    CHECK(bad.pv.event == DecodeEvent::kIpv6TooManyExtHeaders);
}

TEST_CASE("IPv6 first fragment: ports, 32-bit fragment id, no UDP length complaint", "[decode]") {
    auto d = decode_fixture("eth_ipv6_frag_first");
    const PacketView& pv = d.pv;
    REQUIRE(pv.status == DecodeStatus::kFlow);
    CHECK(pv.event == DecodeEvent::kNone);
    CHECK(pv.is_fragment);
    CHECK(pv.first_fragment);
    CHECK(pv.ip_frag_id == 2);
    CHECK(pv.ip_id == 2);
    CHECK(pv.ip_proto == kIpProtoUdp);
    CHECK(pv.src_port == 53);
    CHECK(pv.dst_port == 51851);
    CHECK(pv.l4_off == 62);
    CHECK(pv.payload.size == 1440 - 8 - 8);
}

TEST_CASE("IPv6 non-first fragment: ports 0, upper protocol from the fragment header", "[decode]") {
    auto d = decode_fixture("eth_ipv6_frag_last");
    const PacketView& pv = d.pv;
    REQUIRE(pv.status == DecodeStatus::kFlow);
    CHECK(pv.event == DecodeEvent::kNone);
    CHECK(pv.is_fragment);
    CHECK_FALSE(pv.first_fragment);
    CHECK(pv.frag_offset == 2896);
    CHECK(pv.ip_frag_id == 1);
    CHECK(pv.ip_proto == kIpProtoUdp);
    CHECK(pv.src_port == 0);
    CHECK(pv.payload.size == 0);
    CHECK(pv.key.proto == kIpProtoUdp);
}

TEST_CASE("Unknown transport (OSPF) is a flow with ports 0", "[decode]") {
    auto d = decode_fixture("eth_ipv4_ospf");
    const PacketView& pv = d.pv;
    REQUIRE(pv.status == DecodeStatus::kFlow);
    CHECK(pv.event == DecodeEvent::kNone);
    CHECK(pv.ip_proto == 89);
    CHECK(pv.key.proto == 89);
    CHECK(pv.src_port == 0);
    CHECK(pv.dst_port == 0);
    CHECK(pv.ttl == 1);
    CHECK(pv.l4_off == 34);
    CHECK(pv.payload.size == pv.ip_payload_len);
}

TEST_CASE("Ethernet padding after the IP packet is not payload", "[decode]") {
    auto f = test::load_hex_fixture("eth_ipv4_udp_dns").bytes;
    auto plain = decode_bytes(LinkType::kEthernet, f);
    f.insert(f.end(), 20, 0xee);
    auto padded = decode_bytes(LinkType::kEthernet, f);
    REQUIRE(padded.pv.status == DecodeStatus::kFlow);
    CHECK(padded.pv.event == DecodeEvent::kNone);
    CHECK(padded.pv.payload.size == plain.pv.payload.size);
    CHECK(padded.pv.payload.size == 34);
}

TEST_CASE("Malformed IPv4 headers", "[decode]") {
    const auto base = test::load_hex_fixture("eth_ipv4_udp_dns").bytes;
    SECTION("bad version") {
        auto f = base;
        f[14] = 0x55;
        auto d = decode_bytes(LinkType::kEthernet, f);
        CHECK(d.pv.status == DecodeStatus::kInvalid);
        CHECK(d.pv.event == DecodeEvent::kIpv4BadVersion);
    }
    SECTION("IHL below 5") {
        auto f = base;
        f[14] = 0x44;
        auto d = decode_bytes(LinkType::kEthernet, f);
        CHECK(d.pv.status == DecodeStatus::kInvalid);
        CHECK(d.pv.event == DecodeEvent::kIpv4BadHeaderLength);
    }
    SECTION("total length below the header length") {
        auto f = base;
        f[16] = 0;
        f[17] = 19;
        auto d = decode_bytes(LinkType::kEthernet, f);
        CHECK(d.pv.status == DecodeStatus::kInvalid);
        CHECK(d.pv.event == DecodeEvent::kIpv4BadTotalLength);
    }
    SECTION("total length 0 (segmentation offload) uses the captured length") {
        auto f = base;
        f[16] = 0;
        f[17] = 0;
        auto d = decode_bytes(LinkType::kEthernet, f);
        CHECK(d.pv.status == DecodeStatus::kFlow);
        CHECK(d.pv.event == DecodeEvent::kIpv4BadTotalLength);
        CHECK(d.pv.src_port == 53);
    }
    SECTION("total length beyond the capture: clipped, flow kept") {
        auto f = base;
        f[17] = static_cast<uint8_t>(f[17] + 10);
        auto d = decode_bytes(LinkType::kEthernet, f);
        CHECK(d.pv.status == DecodeStatus::kFlow);
        CHECK(d.pv.event == DecodeEvent::kIpPayloadTruncated);
        CHECK(d.pv.payload.size == 34);
    }
    SECTION("malformed options are flagged, the packet still decodes") {
        // IHL 6 with one option of length 9 in a 4-byte option area.
        std::vector<uint8_t> f(base.begin(), base.begin() + 34);
        f[14] = 0x46;
        f.insert(f.end(), {0x07, 0x09, 0x04, 0x00});
        f.insert(f.end(), base.begin() + 34, base.end());
        f[17] = static_cast<uint8_t>(f[17] + 4);
        auto d = decode_bytes(LinkType::kEthernet, f);
        CHECK(d.pv.status == DecodeStatus::kFlow);
        CHECK(d.pv.event == DecodeEvent::kIpv4OptionsInvalid);
        CHECK(d.pv.l4_off == 38);
        CHECK(d.pv.src_port == 53);
        f[35] = 4;  // now a valid record-route-like option
        auto ok = decode_bytes(LinkType::kEthernet, f);
        CHECK(ok.pv.event == DecodeEvent::kNone);
    }
}

TEST_CASE("Malformed IPv6 headers", "[decode]") {
    const auto base = test::load_hex_fixture("eth_ipv6_udp_dns").bytes;
    auto f = base;
    f[14] = 0x40;
    auto v = decode_bytes(LinkType::kEthernet, f);
    CHECK(v.pv.status == DecodeStatus::kInvalid);
    CHECK(v.pv.event == DecodeEvent::kIpv6BadVersion);

    f = base;
    f[20] = 0;  // hop-by-hop whose length runs past the packet
    f[54] = 17;
    f[55] = 200;
    auto e = decode_bytes(LinkType::kEthernet, f);
    CHECK(e.pv.status == DecodeStatus::kInvalid);
    CHECK(e.pv.event == DecodeEvent::kIpv6ExtHeaderTruncated);

    f = base;
    f[20] = 59;  // no next header
    auto n = decode_bytes(LinkType::kEthernet, f);
    CHECK(n.pv.status == DecodeStatus::kFlow);
    CHECK(n.pv.ip_proto == 59);
    CHECK(n.pv.src_port == 0);
}
