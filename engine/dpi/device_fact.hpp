#pragma once
// DeviceFact: what a dissector learned about the device that sent the current packet
// (its name, its DHCP habits, its browser, ...). Dissectors report facts through
// EventSink::device_fact(); the DPI engine forwards them, with the packet and flow, to the
// worker's DeviceFactSink (its DeviceShard). Values are copied there; nothing is kept.
#include <cstdint>
#include <string_view>

#include "decode/packet_view.hpp"

namespace nms::flow {
struct Flow;
}

namespace nms::dpi {

// Unless noted, the fact belongs to the packet's sender. Values are raw text as seen.
enum class DeviceFact : uint8_t {
    kHostname = 0,          // DHCP option 12 (or option 81 FQDN), from the client's request
    kDhcpVendorClass,       // DHCP option 60, e.g. "MSFT 5.0", "android-dhcp-13"
    kDhcpFingerprint,       // DHCP option 55 as decimal list: "1,3,6,15,31,33,43,44,46,47,119,121,249,252"
    kDhcpRequestedIp,       // DHCP option 50, dotted quad
    kDhcpAssignedIp,        // DHCP ACK from the server: "<chaddr mac> <yiaddr>", e.g. "00:11:22:33:44:55 10.0.0.7";
                            // it belongs to the chaddr device, not to the sender (the server)
    kHttpUserAgent,         // HTTP request User-Agent header
    kMdnsName,              // mDNS answer's owner name for the sender's A/AAAA, e.g. "macbook.local"
    kNetbiosName,           // NBNS registration / NBDGM source name, e.g. "DESKTOP-1234"
    kSsdpServer,            // SSDP NOTIFY / response SERVER header
    kTlsSniClient,          // TLS ClientHello SNI (the client asked for this name)
    kHttpHost,              // HTTP request Host header (the client asked for this name)
    kTlsJa4Client,          // JA4 of the client's TLS/QUIC ClientHello (its TLS stack), e.g. "t13d1516h2_8daaf6152771_e5627efa2ab1"
    kCount
};

inline constexpr const char* device_fact_name(DeviceFact f) noexcept {
    constexpr const char* kNames[] = {"hostname", "dhcp_vendor_class", "dhcp_fingerprint", "dhcp_requested_ip",
                                      "dhcp_assigned_ip", "http_user_agent", "mdns_name", "netbios_name",
                                      "ssdp_server", "tls_sni_client", "http_host", "tls_ja4"};
    return static_cast<size_t>(f) < sizeof kNames / sizeof kNames[0] ? kNames[static_cast<size_t>(f)] : "unknown";
}

// Receives facts on the worker thread, on the packet path: must not allocate, throw or log.
class DeviceFactSink {
 public:
    virtual ~DeviceFactSink() = default;
    // `pkt` is null when the fact comes from a flow's end (no current packet).
    virtual void device_fact(DeviceFact kind, std::string_view value, const decode::PacketView* pkt,
                             const flow::Flow& flow) noexcept = 0;
};

}  // namespace nms::dpi
