#pragma once
// Why a packet (or one of its layers) could not be decoded. One counter per reason; the
// first event of a packet is kept in PacketView::event. Names are the counters' public
// names in stats and /metrics, so they never change once released.
#include <array>
#include <cstdint>

namespace nms::decode {

#define NMS_DECODE_EVENTS(X)                                              \
    X(kNone, "none")                                                      \
    X(kEthernetTruncated, "ethernet_truncated")                           \
    X(kVlanTruncated, "vlan_truncated")                                   \
    X(kTooManyLayers, "too_many_layers")                                  \
    X(kMplsTruncated, "mpls_truncated")                                   \
    X(kSllTruncated, "sll_truncated")                                     \
    X(kNullTruncated, "null_truncated")                                   \
    X(kPppTruncated, "ppp_truncated")                                     \
    X(kUnknownLinkType, "unknown_link_type")                              \
    X(kUnknownEthertype, "unknown_ethertype")                             \
    X(kArpTruncated, "arp_truncated")                                     \
    X(kIpv4Truncated, "ipv4_truncated")                                   \
    X(kIpv4BadVersion, "ipv4_bad_version")                                \
    X(kIpv4BadHeaderLength, "ipv4_bad_header_length")                     \
    X(kIpv4BadTotalLength, "ipv4_bad_total_length")                       \
    X(kIpv4OptionsInvalid, "ipv4_options_invalid")                        \
    X(kIpv6Truncated, "ipv6_truncated")                                   \
    X(kIpv6BadVersion, "ipv6_bad_version")                                \
    X(kIpv6BadPayloadLength, "ipv6_bad_payload_length")                   \
    X(kIpv6ExtHeaderTruncated, "ipv6_ext_header_truncated")               \
    X(kIpv6TooManyExtHeaders, "ipv6_too_many_ext_headers")                \
    X(kTcpTruncated, "tcp_truncated")                                     \
    X(kTcpBadHeaderLength, "tcp_bad_header_length")                       \
    X(kTcpOptionsInvalid, "tcp_options_invalid")                          \
    X(kUdpTruncated, "udp_truncated")                                     \
    X(kUdpBadLength, "udp_bad_length")                                    \
    X(kIcmpTruncated, "icmp_truncated")                                   \
    X(kIcmpv6Truncated, "icmpv6_truncated")                               \
    X(kSctpTruncated, "sctp_truncated")                                   \
    X(kGreTruncated, "gre_truncated")                                     \
    X(kGreUnsupported, "gre_unsupported")                                 \
    X(kVxlanTruncated, "vxlan_truncated")                                 \
    X(kGeneveTruncated, "geneve_truncated")                               \
    X(kTeredoTruncated, "teredo_truncated")                               \
    X(kTunnelInnerInvalid, "tunnel_inner_invalid")                        \
    X(kZeroLength, "zero_length")                                         \
    X(kIpPayloadTruncated, "ip_payload_truncated")                        \
    X(kMplsUnknownPayload, "mpls_unknown_payload")                        \
    X(kGtpTruncated, "gtp_truncated")

enum class DecodeEvent : uint8_t {
#define NMS_X(id, name) id,
    NMS_DECODE_EVENTS(NMS_X)
#undef NMS_X
        kCount
};

inline constexpr std::size_t kDecodeEventCount = static_cast<std::size_t>(DecodeEvent::kCount);

inline constexpr std::array<const char*, kDecodeEventCount> kDecodeEventNames = {
#define NMS_X(id, name) name,
    NMS_DECODE_EVENTS(NMS_X)
#undef NMS_X
};

inline const char* to_string(DecodeEvent e) noexcept {
    auto i = static_cast<std::size_t>(e);
    return i < kDecodeEventCount ? kDecodeEventNames[i] : "unknown";
}

}  // namespace nms::decode
