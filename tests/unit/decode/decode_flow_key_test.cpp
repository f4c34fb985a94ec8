// The canonical FlowKey: both directions of a flow give the same key and hash; `swapped`
// tells them apart; VLAN and tunnel id separate otherwise equal flows.
#include <catch2/catch.hpp>

#include "decode_test_util.hpp"

using namespace nms;
using namespace nms::decode;
using nms::test::decode_bytes;
using nms::test::decode_fixture;
using nms::test::ip;

TEST_CASE("Canonical key: lower endpoint first, swapped marks the direction", "[decode]") {
    auto d = decode_fixture("eth_vlan_tcp_syn");  // 141.142.228.5:59856 -> 192.150.187.43:80
    const FlowKey& k = d.pv.key;
    CHECK_FALSE(d.pv.swapped);
    CHECK(k.addr_lo == ip("141.142.228.5"));
    CHECK(k.addr_hi == ip("192.150.187.43"));
    CHECK(k.port_lo == 59856);
    CHECK(k.port_hi == 80);
    CHECK(k.proto == kIpProtoTcp);
    CHECK(k.vlan == 0);
    CHECK(k.tunnel_type == 0);
    CHECK(k.tunnel_id == 0);
    CHECK(k.reserved == 0);

    auto r = decode_fixture("eth_qinq_tcp_synack");  // 192.150.187.43:80 -> 141.142.228.5:59856
    CHECK(r.pv.swapped);
    CHECK(r.pv.key.addr_lo == ip("141.142.228.5"));
    CHECK(r.pv.key.port_lo == 59856);
}

TEST_CASE("Both directions of every fixture flow share key and hash", "[decode]") {
    for (const auto& fx : test::load_all_hex_fixtures()) {
        auto fwd = decode_fixture(fx);
        if (fwd.pv.status != DecodeStatus::kFlow) continue;
        INFO(fx.name);
        const auto back_bytes = test::reversed(fx.bytes, fwd.pv);
        auto back = decode_bytes(fx.link(), back_bytes);
        REQUIRE(back.pv.status == DecodeStatus::kFlow);
        CHECK(back.pv.key == fwd.pv.key);
        CHECK(flow_hash(back.pv.key) == flow_hash(fwd.pv.key));
        CHECK(shard_hash(back.pv.key) == shard_hash(fwd.pv.key));
        CHECK(back.pv.swapped != fwd.pv.swapped);
        CHECK(back.pv.src_ip == fwd.pv.dst_ip);
        CHECK(back.pv.src_port == fwd.pv.dst_port);
    }
}

TEST_CASE("ICMP echo request and reply are one flow", "[decode]") {
    auto req = test::load_hex_fixture("eth_icmp_echo");
    auto d = decode_fixture(req);
    auto reply = test::reversed(req.bytes, d.pv);
    reply[34] = 0;  // echo reply
    auto r = decode_bytes(LinkType::kEthernet, reply);
    CHECK(r.pv.icmp_type == 0);
    CHECK(r.pv.icmp_id == d.pv.icmp_id);
    CHECK(r.pv.key == d.pv.key);
}

TEST_CASE("Same address on both ends: ports order the endpoints", "[decode]") {
    auto f = test::load_hex_fixture("eth_ipv4_udp_dns").bytes;  // 53 -> 32795
    for (size_t i = 0; i < 4; ++i) f[30 + i] = f[26 + i];       // dst address = src address
    auto a = decode_bytes(LinkType::kEthernet, f);
    CHECK_FALSE(a.pv.swapped);
    std::swap(f[34], f[36]);
    std::swap(f[35], f[37]);
    auto b = decode_bytes(LinkType::kEthernet, f);
    CHECK(b.pv.swapped);
    CHECK(a.pv.key == b.pv.key);
}

TEST_CASE("VLAN id and tunnel id separate otherwise identical flows", "[decode]") {
    auto f = test::load_hex_fixture("eth_vlan_tcp_syn").bytes;
    auto a = decode_bytes(LinkType::kEthernet, f);
    f[15] = 7;  // VLAN 7, same PCP
    auto b = decode_bytes(LinkType::kEthernet, f);
    CHECK(b.pv.key.vlan == 7);
    CHECK_FALSE(a.pv.key == b.pv.key);
    CHECK(flow_hash(a.pv.key) != flow_hash(b.pv.key));
    CHECK(shard_hash(a.pv.key) != shard_hash(b.pv.key));

    auto v = test::load_hex_fixture("eth_vxlan_tcp_http").bytes;
    auto one = decode_bytes(LinkType::kEthernet, v);
    v[48] = 2;  // VNI 2
    auto two = decode_bytes(LinkType::kEthernet, v);
    CHECK(two.pv.key.tunnel_id == 2);
    CHECK_FALSE(one.pv.key == two.pv.key);
}

TEST_CASE("Non-IP frames leave the key empty", "[decode]") {
    for (const char* name : {"eth_arp_request", "eth_lldp"}) {
        auto d = decode_fixture(name);
        CHECK(d.pv.status == DecodeStatus::kNonIp);
        CHECK(d.pv.key == FlowKey{});
    }
}
