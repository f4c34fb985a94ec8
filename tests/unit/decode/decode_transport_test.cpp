// Transports: TCP (flags, numbers, options), UDP, ICMP/ICMPv6, SCTP, and their truncation rules.
#include <catch2/catch.hpp>

#include "decode_test_util.hpp"

using namespace nms;
using namespace nms::decode;
using nms::test::decode_bytes;
using nms::test::decode_fixture;
using nms::test::ip;

namespace {
// A copy of `base` whose IPv4 packet (at `l3_off`) is cut to `l4_bytes` of transport, with
// the total length saying so: a short packet, not a short capture.
std::vector<uint8_t> short_ipv4(const std::vector<uint8_t>& base, size_t l3_off, size_t l4_bytes) {
    std::vector<uint8_t> f(base.begin(), base.begin() + static_cast<std::ptrdiff_t>(l3_off + 20 + l4_bytes));
    const auto total = static_cast<uint16_t>(20 + l4_bytes);
    f[l3_off + 2] = static_cast<uint8_t>(total >> 8);
    f[l3_off + 3] = static_cast<uint8_t>(total);
    return f;
}
}  // namespace

TEST_CASE("TCP SYN: numbers, flags, window and options", "[decode]") {
    auto d = decode_fixture("eth_vlan_tcp_syn");
    const PacketView& pv = d.pv;
    REQUIRE(pv.status == DecodeStatus::kFlow);
    CHECK(pv.event == DecodeEvent::kNone);
    CHECK(pv.is_tcp());
    CHECK(pv.src_port == 59856);
    CHECK(pv.dst_port == 80);
    CHECK(pv.tcp_seq == 4263588410u);
    CHECK(pv.tcp_ack == 0);
    CHECK(pv.tcp_flags == kTcpSyn);
    CHECK(pv.tcp_window == 65535);
    const TcpOptions& o = pv.tcp_opts;
    CHECK(o.mss == 1460);
    CHECK(o.wscale == 4);
    CHECK(o.sack_permitted);
    CHECK(o.has_timestamp);
    CHECK(o.ts_val == 374005024u);
    CHECK(o.ts_ecr == 0);
    CHECK(o.sack_blocks == 0);
    CHECK(o.options_off == 58);
    CHECK(o.options_len == 24);
    CHECK(d.buf[o.options_off] == 2);  // MSS kind: the offset points at the option bytes
    CHECK(pv.payload.size == 0);
    CHECK(d.off(pv.payload.data) == 82);
}

TEST_CASE("TCP SYN+ACK and a data segment", "[decode]") {
    auto s = decode_fixture("eth_qinq_tcp_synack");
    CHECK(s.pv.tcp_flags == (kTcpSyn | kTcpAck));
    CHECK(s.pv.tcp_seq == 2779762238u);
    CHECK(s.pv.tcp_ack == 4263588411u);
    CHECK(s.pv.tcp_window == 14480);
    CHECK(s.pv.tcp_opts.mss == 1460);
    CHECK(s.pv.tcp_opts.wscale == 7);

    auto d = decode_fixture("eth_qinqinq_tcp_http");
    CHECK(d.pv.tcp_flags == (kTcpPsh | kTcpAck));
    CHECK(d.pv.tcp_window == 8235);
    CHECK(d.pv.tcp_opts.mss == 0);
    CHECK(d.pv.tcp_opts.wscale == 0xff);
    CHECK(d.pv.tcp_opts.has_timestamp);
    CHECK(d.pv.payload.size == 136);
    CHECK(d.payload_text().rfind("GET /", 0) == 0);
}

TEST_CASE("TCP SACK blocks", "[decode]") {
    auto d = decode_fixture("eth_ipv4_tcp_sack");
    const PacketView& pv = d.pv;
    REQUIRE(pv.status == DecodeStatus::kFlow);
    CHECK(pv.event == DecodeEvent::kNone);
    CHECK(pv.tcp_flags == kTcpAck);
    CHECK(pv.tcp_seq == 0x11111111u);
    CHECK(pv.tcp_ack == 0x22222222u);
    CHECK(pv.tcp_window == 512);
    CHECK(pv.tcp_opts.sack_blocks == 2);
    CHECK_FALSE(pv.tcp_opts.sack_permitted);
    CHECK(pv.tcp_opts.options_len == 20);
    CHECK(d.payload_text() == "DATA");
}

TEST_CASE("TCP malformed options are flagged, the segment still decodes", "[decode]") {
    auto f = test::load_hex_fixture("eth_ipv4_tcp_sack").bytes;
    f[14 + 20 + 20 + 3] = 0x13;  // SACK length past the option area
    auto d = decode_bytes(LinkType::kEthernet, f);
    CHECK(d.pv.status == DecodeStatus::kFlow);
    CHECK(d.pv.event == DecodeEvent::kTcpOptionsInvalid);
    CHECK(d.payload_text() == "DATA");
}

TEST_CASE("TCP truncation: ports readable = flow with event - not = invalid", "[decode]") {
    const auto base = test::load_hex_fixture("eth_ipv4_tcp_sack").bytes;
    auto ten = decode_bytes(LinkType::kEthernet, short_ipv4(base, 14, 10));
    CHECK(ten.pv.status == DecodeStatus::kFlow);
    CHECK(ten.pv.event == DecodeEvent::kTcpTruncated);
    CHECK(ten.pv.src_port == 443);
    CHECK(ten.pv.dst_port == 51000);
    CHECK(ten.pv.tcp_flags == 0);
    CHECK(ten.pv.payload.size == 0);

    auto options_cut = decode_bytes(LinkType::kEthernet, short_ipv4(base, 14, 30));
    CHECK(options_cut.pv.status == DecodeStatus::kFlow);
    CHECK(options_cut.pv.event == DecodeEvent::kTcpBadHeaderLength);  // header longer than the packet
    CHECK(options_cut.pv.tcp_flags == kTcpAck);

    auto three = decode_bytes(LinkType::kEthernet, short_ipv4(base, 14, 3));
    CHECK(three.pv.status == DecodeStatus::kInvalid);
    CHECK(three.pv.event == DecodeEvent::kTcpTruncated);

    // Cut by the capture (snaplen) inside the options: the IP length is right, bytes are missing.
    auto snap =
        decode_bytes(LinkType::kEthernet, base.data(), 14 + 20 + 30, static_cast<uint32_t>(base.size()));
    CHECK(snap.pv.status == DecodeStatus::kFlow);
    CHECK(snap.pv.event == DecodeEvent::kIpPayloadTruncated);
    CHECK(snap.pv.src_port == 443);
    CHECK(snap.pv.tcp_opts.options_len == 0);
    CHECK(snap.pv.payload.size == 0);
}

TEST_CASE("TCP data offset below 5 (fuzzed capture)", "[decode]") {
    auto d = decode_fixture("ipv4_tcp");
    const PacketView& pv = d.pv;
    REQUIRE(pv.status == DecodeStatus::kFlow);
    CHECK(pv.event == DecodeEvent::kTcpBadHeaderLength);
    CHECK(pv.src_ip == ip("126.4.1.0"));
    CHECK(pv.src_port == 88);
    CHECK(pv.dst_port == 53646);
    CHECK(pv.ttl == 0);
    CHECK(pv.tos == 0x26);
    CHECK(pv.payload.size == 0);
}

TEST_CASE("UDP: ports, length, payload bounded by the UDP length", "[decode]") {
    auto d = decode_fixture("eth_ipv4_udp_dns");
    const PacketView& pv = d.pv;
    REQUIRE(pv.status == DecodeStatus::kFlow);
    CHECK(pv.is_udp());
    CHECK(pv.src_port == 53);
    CHECK(pv.dst_port == 32795);
    CHECK(pv.l4_off == 34);
    CHECK(pv.payload.size == 34);
    CHECK(d.off(pv.payload.data) == 42);

    auto f = test::load_hex_fixture("eth_ipv4_udp_dns").bytes;
    f[38] = 0;
    f[39] = 20;  // shorter than the IP payload: 12 bytes of datagram, the rest is trailer
    auto s = decode_bytes(LinkType::kEthernet, f);
    CHECK(s.pv.event == DecodeEvent::kNone);
    CHECK(s.pv.payload.size == 12);
    f[39] = 3;  // below the header size
    auto b = decode_bytes(LinkType::kEthernet, f);
    CHECK(b.pv.status == DecodeStatus::kFlow);
    CHECK(b.pv.event == DecodeEvent::kUdpBadLength);
    CHECK(b.pv.payload.size == 34);
    f[38] = 0x10;  // beyond the IP payload
    auto l = decode_bytes(LinkType::kEthernet, f);
    CHECK(l.pv.event == DecodeEvent::kUdpBadLength);

    const auto base = test::load_hex_fixture("eth_ipv4_udp_dns").bytes;
    auto six = decode_bytes(LinkType::kEthernet, short_ipv4(base, 14, 6));
    CHECK(six.pv.status == DecodeStatus::kFlow);
    CHECK(six.pv.event == DecodeEvent::kUdpTruncated);
    CHECK(six.pv.dst_port == 32795);
    auto two = decode_bytes(LinkType::kEthernet, short_ipv4(base, 14, 2));
    CHECK(two.pv.status == DecodeStatus::kInvalid);
    CHECK(two.pv.event == DecodeEvent::kUdpTruncated);
}

TEST_CASE("ICMP echo: type, code, id - ports 0 in the key", "[decode]") {
    auto d = decode_fixture("eth_icmp_echo");
    const PacketView& pv = d.pv;
    REQUIRE(pv.status == DecodeStatus::kFlow);
    CHECK(pv.event == DecodeEvent::kNone);
    CHECK(pv.ip_proto == kIpProtoIcmp);
    CHECK(pv.icmp_type == 8);
    CHECK(pv.icmp_code == 0);
    CHECK(pv.icmp_id == 65279);
    CHECK(pv.src_port == 0);
    CHECK(pv.dst_port == 0);
    CHECK(pv.key.port_lo == 0);
    CHECK(pv.key.port_hi == 0);
    CHECK(pv.payload.size == 84);

    const auto base = test::load_hex_fixture("eth_icmp_echo").bytes;
    auto six = decode_bytes(LinkType::kEthernet, short_ipv4(base, 14, 6));
    CHECK(six.pv.status == DecodeStatus::kFlow);
    CHECK(six.pv.event == DecodeEvent::kIcmpTruncated);
    CHECK(six.pv.icmp_type == 8);
    CHECK(six.pv.icmp_id == 0);
    auto three = decode_bytes(LinkType::kEthernet, short_ipv4(base, 14, 3));
    CHECK(three.pv.status == DecodeStatus::kInvalid);
    CHECK(three.pv.event == DecodeEvent::kIcmpTruncated);
}

TEST_CASE("SCTP common header", "[decode]") {
    auto d = decode_fixture("eth_ipv4_sctp_init");
    const PacketView& pv = d.pv;
    REQUIRE(pv.status == DecodeStatus::kFlow);
    CHECK(pv.event == DecodeEvent::kNone);
    CHECK(pv.ip_proto == kIpProtoSctp);
    CHECK(pv.src_port == 5000);
    CHECK(pv.dst_port == 38412);
    CHECK(pv.payload.size == 20);
    CHECK(pv.payload.data[0] == 1);  // INIT chunk
    const auto base = test::load_hex_fixture("eth_ipv4_sctp_init").bytes;
    auto eight = decode_bytes(LinkType::kEthernet, short_ipv4(base, 14, 8));
    CHECK(eight.pv.status == DecodeStatus::kFlow);
    CHECK(eight.pv.event == DecodeEvent::kSctpTruncated);
    CHECK(eight.pv.dst_port == 38412);
}
