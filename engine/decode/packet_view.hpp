#pragma once
// PacketView: everything decode learned about one frame, as offsets and small values.
// No allocation, no ownership: `data` points into the caller's buffer and stays valid
// only as long as that buffer does.
#include <cstdint>

#include "common/bytes.hpp"
#include "common/ip_addr.hpp"
#include "common/time.hpp"
#include "decode/decode_events.hpp"
#include "decode/flow_key.hpp"
#include "decode/link_type.hpp"

namespace nms::decode {

enum class DecodeStatus : uint8_t {
    kFlow,     // an IP packet with a flow key (L4 may still carry an event, e.g. truncated options)
    kNonIp,    // a valid frame without an IP flow (ARP, LLDP, CDP, STP, ...)
    kInvalid,  // undecodable: `event` says why; nothing after the failing layer is set
};

enum class L3 : uint8_t { kNone, kIpv4, kIpv6, kArp, kOther };

enum class TunnelType : uint8_t {
    kNone = 0, kGre = 1, kVxlan = 2, kGeneve = 3, kIpInIp = 4, kTeredo = 5, kMpls = 6, kGtpU = 7,
};

enum TcpFlag : uint8_t {
    kTcpFin = 0x01, kTcpSyn = 0x02, kTcpRst = 0x04, kTcpPsh = 0x08,
    kTcpAck = 0x10, kTcpUrg = 0x20, kTcpEce = 0x40, kTcpCwr = 0x80,
};

inline constexpr uint8_t kIpProtoIcmp = 1;
inline constexpr uint8_t kIpProtoTcp = 6;
inline constexpr uint8_t kIpProtoUdp = 17;
inline constexpr uint8_t kIpProtoGre = 47;
inline constexpr uint8_t kIpProtoIcmpv6 = 58;
inline constexpr uint8_t kIpProtoSctp = 132;

struct TcpOptions {
    uint16_t mss = 0;            // 0 = absent
    uint8_t wscale = 0xff;       // 0xff = absent
    bool sack_permitted = false;
    bool has_timestamp = false;
    uint8_t sack_blocks = 0;
    uint32_t ts_val = 0;
    uint32_t ts_ecr = 0;
    uint16_t options_off = 0;    // offset of the option bytes in the frame, for fingerprinting
    uint8_t options_len = 0;
};

struct ArpInfo {
    uint16_t op = 0;             // 1 request, 2 reply
    uint8_t sender_mac[6]{};
    uint8_t target_mac[6]{};
    IpAddr sender_ip;
    IpAddr target_ip;
};

struct PacketView {
    // Frame as captured.
    const uint8_t* data = nullptr;
    uint32_t caplen = 0;
    uint32_t wirelen = 0;        // original length on the wire (L2 header included)
    TimestampNs ts_ns = 0;
    LinkType link = LinkType::kEthernet;

    DecodeStatus status = DecodeStatus::kInvalid;
    DecodeEvent event = DecodeEvent::kNone;  // first problem found, kNone when clean

    // L2 (outermost Ethernet header, when present).
    bool has_eth = false;
    uint8_t src_mac[6]{};
    uint8_t dst_mac[6]{};
    uint16_t ethertype = 0;      // innermost ethertype after VLAN/MPLS
    uint8_t vlan_count = 0;
    uint16_t vlan_ids[3]{};      // outermost first
    uint8_t mpls_labels = 0;

    // Tunnels decapsulated on the way in (outermost one).
    TunnelType tunnel = TunnelType::kNone;
    uint32_t tunnel_id = 0;
    uint8_t tunnel_depth = 0;

    // L3 (innermost IP header).
    L3 l3 = L3::kNone;
    uint16_t l3_off = 0;
    IpAddr src_ip;
    IpAddr dst_ip;
    uint8_t ttl = 0;             // IPv4 TTL / IPv6 hop limit
    uint8_t tos = 0;             // IPv4 TOS / IPv6 traffic class
    uint16_t ip_id = 0;          // IPv4 identification (IPv6 fragment id, low 16 bits)
    uint32_t ip_frag_id = 0;     // full fragment identification (IPv6: 32 bits)
    bool ip_df = false;
    bool is_fragment = false;    // any fragment (MF set or offset > 0)
    bool first_fragment = false; // offset 0: carries the L4 header
    uint16_t frag_offset = 0;    // in bytes
    uint16_t ip_payload_len = 0; // L3 payload length as the header claims it

    // L4 (innermost transport).
    uint8_t ip_proto = 0;        // after IPv6 extension headers
    uint16_t l4_off = 0;
    uint16_t src_port = 0;       // ICMP: 0/0 (icmp id lives in icmp_id)
    uint16_t dst_port = 0;
    uint8_t tcp_flags = 0;
    uint32_t tcp_seq = 0;
    uint32_t tcp_ack = 0;
    uint16_t tcp_window = 0;
    TcpOptions tcp_opts;
    uint8_t icmp_type = 0;
    uint8_t icmp_code = 0;
    uint16_t icmp_id = 0;

    // Application payload of the innermost transport, clipped to caplen and to the IP length.
    ByteView payload;

    ArpInfo arp;                 // valid when l3 == L3::kArp

    // Flow identity, set when status == kFlow.
    FlowKey key;
    bool swapped = false;        // true when src is the canonical hi endpoint

    [[nodiscard]] bool is_tcp() const noexcept { return ip_proto == kIpProtoTcp; }
    [[nodiscard]] bool is_udp() const noexcept { return ip_proto == kIpProtoUdp; }
};

}  // namespace nms::decode
