#pragma once
// Application payloads shaped like the real thing, byte for byte, so tshark and netmonsec's
// dissectors recognise them: DNS, HTTP/1.1, TLS hellos, SSH banner + key exchange, DHCP,
// mDNS, ARP and SMB2 negotiate. Written when a session is planned (not per packet).
#include <cstdint>
#include <string_view>

#include "gen/byte_writer.hpp"
#include "gen/rng.hpp"

namespace nms::gen {

inline constexpr uint16_t kDnsA = 1, kDnsTxt = 16, kDnsAaaa = 28;

// DNS (also mDNS when `mdns`): a query with one question.
void dns_query(ByteWriter& w, uint16_t id, std::string_view name, uint16_t qtype);
// A response echoing the question; rcode 0 adds `answers` A/AAAA (or TXT) records from rng.
void dns_response(ByteWriter& w, Rng& rng, uint16_t id, std::string_view name, uint16_t qtype, uint8_t rcode,
                  unsigned answers);
// mDNS announcement of `host`.local with its address (A or AAAA) and a _workstation PTR.
void mdns_announcement(ByteWriter& w, std::string_view host, const uint8_t* ip, bool v6);

void http_request(ByteWriter& w, std::string_view method, std::string_view host, std::string_view path,
                  std::string_view user_agent, size_t body_len);
void http_response_head(ByteWriter& w, unsigned status, std::string_view reason, std::string_view content_type,
                        size_t content_length);

struct TlsHelloOptions {
    bool tls13 = true;       // supported_versions + key_share (TLS 1.3), else a TLS 1.2 hello
    bool quic = false;       // QUIC: no legacy session id, quic_transport_parameters, ALPN h3
    std::string_view sni;
    std::string_view alpn;   // comma-separated, e.g. "h2,http/1.1"
};
// A ClientHello handshake message (no record header: QUIC carries it in CRYPTO frames).
void tls_client_hello_msg(ByteWriter& w, Rng& rng, const TlsHelloOptions& o);
// A ServerHello handshake message answering `o`.
void tls_server_hello_msg(ByteWriter& w, Rng& rng, const TlsHelloOptions& o);
// A TLS record of `type` (22 handshake, 20 CCS, 23 application data) around `body`.
void tls_record(ByteWriter& w, uint8_t type, const uint8_t* body, size_t len);

// SSH: identification line and binary packets (RFC 4253), all before NEWKEYS.
void ssh_banner(ByteWriter& w, std::string_view banner);
void ssh_kexinit(ByteWriter& w, Rng& rng, bool server);
void ssh_ecdh_init(ByteWriter& w, Rng& rng);
void ssh_ecdh_reply(ByteWriter& w, Rng& rng);
void ssh_newkeys(ByteWriter& w);

enum class DhcpType : uint8_t { kDiscover = 1, kOffer = 2, kRequest = 3, kAck = 5 };
// BOOTP + DHCP options: 53, 61, 12 (hostname), 55 (parameter list), 50/54/51/1/3/6 as fits.
void dhcp_message(ByteWriter& w, DhcpType type, uint32_t xid, const uint8_t* client_mac, const uint8_t* your_ip,
                  const uint8_t* server_ip, std::string_view hostname);

// ARP for Ethernet/IPv4: op 1 request, 2 reply.
void arp_body(ByteWriter& w, uint16_t op, const uint8_t* sender_mac, const uint8_t* sender_ip,
              const uint8_t* target_mac, const uint8_t* target_ip);

// SMB2 NEGOTIATE request / response inside a NetBIOS session message.
void smb2_negotiate_request(ByteWriter& w, Rng& rng);
void smb2_negotiate_response(ByteWriter& w, Rng& rng);

}  // namespace nms::gen
