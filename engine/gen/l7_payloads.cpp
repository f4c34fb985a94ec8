#include "gen/l7_payloads.hpp"

#include <cstdio>

namespace nms::gen {
namespace {

void dns_name(ByteWriter& w, std::string_view name) {
    size_t start = 0;
    while (start < name.size()) {
        size_t dot = name.find('.', start);
        if (dot == std::string_view::npos) dot = name.size();
        const size_t len = dot - start < 63 ? dot - start : 63;
        w.u8(static_cast<unsigned>(len));
        w.str(name.substr(start, len));
        start = dot + 1;
    }
    w.u8(0);
}

void dns_header(ByteWriter& w, uint16_t id, unsigned flags, unsigned qd, unsigned an, unsigned ns, unsigned ar) {
    w.be16(id);
    w.be16(flags);
    w.be16(qd);
    w.be16(an);
    w.be16(ns);
    w.be16(ar);
}

void random_bytes(ByteWriter& w, Rng& rng, size_t n) {
    for (size_t i = 0; i < n; ++i) w.u8(static_cast<unsigned>(rng.next() >> 56));
}

void ssh_packet_end(ByteWriter& w, Rng& rng, size_t start) {
    // packet_length(4) padding_length(1) payload padding: total multiple of 8, padding >= 4.
    const size_t payload = w.size() - start - 5;
    size_t pad = 8 - ((5 + payload) % 8);
    if (pad < 4) pad += 8;
    random_bytes(w, rng, pad);
    uint8_t* p = w.data() + start;
    const auto len = static_cast<uint32_t>(1 + payload + pad);
    p[0] = static_cast<uint8_t>(len >> 24);
    p[1] = static_cast<uint8_t>(len >> 16);
    p[2] = static_cast<uint8_t>(len >> 8);
    p[3] = static_cast<uint8_t>(len);
    p[4] = static_cast<uint8_t>(pad);
}

void ssh_string(ByteWriter& w, std::string_view s) {
    w.be32(static_cast<uint32_t>(s.size()));
    w.str(s);
}

}  // namespace

void dns_query(ByteWriter& w, uint16_t id, std::string_view name, uint16_t qtype) {
    dns_header(w, id, 0x0100, 1, 0, 0, 0);  // RD
    dns_name(w, name);
    w.be16(qtype);
    w.be16(1);
}

void dns_response(ByteWriter& w, Rng& rng, uint16_t id, std::string_view name, uint16_t qtype, uint8_t rcode,
                  unsigned answers) {
    if (rcode != 0) answers = 0;
    dns_header(w, id, 0x8180u | rcode, 1, answers, 0, 0);  // QR RD RA
    dns_name(w, name);
    w.be16(qtype);
    w.be16(1);
    for (unsigned i = 0; i < answers; ++i) {
        w.be16(0xc00c);  // pointer to the question name
        w.be16(qtype);
        w.be16(1);
        w.be32(rng.range(30, 3600));
        if (qtype == kDnsAaaa) {
            w.be16(16);
            const uint8_t pfx[8] = {0x20, 0x01, 0x00, 0x02, 0x00, 0x00, 0x80, 0x00};
            w.bytes(pfx, 8);
            w.zeros(6);
            w.be16(rng.range(1, 4000));
        } else if (qtype == kDnsTxt) {
            const size_t n = rng.range(16, 120);
            w.be16(static_cast<unsigned>(n + 1));
            w.u8(static_cast<unsigned>(n));
            for (size_t k = 0; k < n; ++k) w.u8('a' + rng.below(26));
        } else {
            w.be16(4);
            w.u8(198);
            w.u8(19);
            w.be16(rng.range(1, 4000));
        }
    }
}

void mdns_announcement(ByteWriter& w, std::string_view host, const uint8_t* ip, bool v6) {
    dns_header(w, 0, 0x8400, 0, 2, 0, 0);  // QR AA
    char name[96];
    std::snprintf(name, sizeof name, "%.*s.local", static_cast<int>(host.size()), host.data());
    dns_name(w, name);
    w.be16(v6 ? kDnsAaaa : kDnsA);
    w.be16(0x8001);  // cache-flush, IN
    w.be32(120);
    w.be16(v6 ? 16 : 4);
    w.bytes(ip, v6 ? 16 : 4);
    dns_name(w, "_workstation._tcp.local");
    w.be16(12);  // PTR
    w.be16(1);
    w.be32(4500);
    const size_t at = w.mark(2);
    char inst[128];
    std::snprintf(inst, sizeof inst, "%.*s._workstation._tcp.local", static_cast<int>(host.size()), host.data());
    dns_name(w, inst);
    w.patch(at, 2);
}

void http_request(ByteWriter& w, std::string_view method, std::string_view host, std::string_view path,
                  std::string_view user_agent, size_t body_len) {
    w.str(method);
    w.u8(' ');
    w.str(path);
    w.str(" HTTP/1.1\r\nHost: ");
    w.str(host);
    w.str("\r\nUser-Agent: ");
    w.str(user_agent);
    w.str("\r\nAccept: */*\r\nAccept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n");
    if (body_len) {
        char line[96];
        std::snprintf(line, sizeof line, "Content-Type: application/octet-stream\r\nContent-Length: %zu\r\n",
                      body_len);
        w.str(line);
    }
    w.str("\r\n");
}

void http_response_head(ByteWriter& w, unsigned status, std::string_view reason, std::string_view content_type,
                        size_t content_length) {
    char line[256];
    std::snprintf(line, sizeof line,
                  "HTTP/1.1 %u %.*s\r\nServer: nginx/1.22.1\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\n"
                  "Content-Type: %.*s\r\nContent-Length: %zu\r\nConnection: keep-alive\r\n\r\n",
                  status, static_cast<int>(reason.size()), reason.data(), static_cast<int>(content_type.size()),
                  content_type.data(), content_length);
    w.str(line);
}

void tls_client_hello_msg(ByteWriter& w, Rng& rng, const TlsHelloOptions& o) {
    w.u8(1);  // ClientHello
    const size_t hs = w.mark(3);
    w.be16(0x0303);
    random_bytes(w, rng, 32);
    if (o.quic) {
        w.u8(0);
    } else {
        w.u8(32);
        random_bytes(w, rng, 32);
    }
    const uint16_t suites13[] = {0x1301, 0x1302, 0x1303};
    const uint16_t suites12[] = {0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d};
    const size_t cs = w.mark(2);
    if (o.tls13)
        for (auto s : suites13) w.be16(s);
    if (!o.quic)
        for (auto s : suites12) w.be16(s);
    w.patch(cs, 2);
    w.u8(1);  // compression methods: null
    w.u8(0);
    const size_t ext = w.mark(2);
    // server_name
    w.be16(0);
    const size_t sn = w.mark(2);
    const size_t sl = w.mark(2);
    w.u8(0);
    w.be16(static_cast<unsigned>(o.sni.size()));
    w.str(o.sni);
    w.patch(sl, 2);
    w.patch(sn, 2);
    if (!o.quic) {  // extended_master_secret, renegotiation_info
        w.be16(0x0017);
        w.be16(0);
        w.be16(0xff01);
        w.be16(1);
        w.u8(0);
    }
    // supported_groups
    w.be16(10);
    w.be16(8);
    w.be16(6);
    w.be16(0x001d);
    w.be16(0x0017);
    w.be16(0x0018);
    if (!o.quic) {  // ec_point_formats
        w.be16(11);
        w.be16(2);
        w.u8(1);
        w.u8(0);
    }
    // application_layer_protocol_negotiation
    if (!o.alpn.empty()) {
        w.be16(16);
        const size_t a = w.mark(2);
        const size_t al = w.mark(2);
        size_t start = 0;
        while (start <= o.alpn.size()) {
            size_t comma = o.alpn.find(',', start);
            if (comma == std::string_view::npos) comma = o.alpn.size();
            w.u8(static_cast<unsigned>(comma - start));
            w.str(o.alpn.substr(start, comma - start));
            start = comma + 1;
        }
        w.patch(al, 2);
        w.patch(a, 2);
    }
    // signature_algorithms
    w.be16(13);
    w.be16(10);
    w.be16(8);
    w.be16(0x0403);
    w.be16(0x0804);
    w.be16(0x0401);
    w.be16(0x0503);
    if (o.tls13) {
        w.be16(43);  // supported_versions
        if (o.quic) {
            w.be16(3);
            w.u8(2);
            w.be16(0x0304);
        } else {
            w.be16(5);
            w.u8(4);
            w.be16(0x0304);
            w.be16(0x0303);
        }
        w.be16(45);  // psk_key_exchange_modes
        w.be16(2);
        w.u8(1);
        w.u8(1);
        w.be16(51);  // key_share: x25519
        w.be16(38);
        w.be16(36);
        w.be16(0x001d);
        w.be16(32);
        random_bytes(w, rng, 32);
    }
    if (o.quic) {  // quic_transport_parameters (RFC 9000 §18)
        w.be16(57);
        const size_t tp = w.mark(2);
        auto param = [&](uint64_t id, uint64_t v) {
            w.varint(id);
            const unsigned n = v < 64 ? 1 : (v < 16384 ? 2 : (v < (1u << 30) ? 4 : 8));
            w.varint(n);
            w.varint(v);
        };
        param(0x01, 30000);     // max_idle_timeout
        param(0x04, 1048576);   // initial_max_data
        param(0x05, 524288);    // initial_max_stream_data_bidi_local
        param(0x08, 100);       // initial_max_streams_bidi
        param(0x09, 100);       // initial_max_streams_uni
        w.varint(0x0f);         // initial_source_connection_id: filled as 8 random bytes
        w.varint(8);
        random_bytes(w, rng, 8);
        w.patch(tp, 2);
    }
    w.patch(ext, 2);
    w.patch(hs, 3);
}

void tls_server_hello_msg(ByteWriter& w, Rng& rng, const TlsHelloOptions& o) {
    w.u8(2);  // ServerHello
    const size_t hs = w.mark(3);
    w.be16(0x0303);
    random_bytes(w, rng, 32);
    if (o.quic) {
        w.u8(0);
    } else {
        w.u8(32);
        random_bytes(w, rng, 32);
    }
    w.be16(o.tls13 ? 0x1301 : 0xc02f);
    w.u8(0);
    const size_t ext = w.mark(2);
    if (o.tls13) {
        w.be16(43);
        w.be16(2);
        w.be16(0x0304);
        w.be16(51);
        w.be16(36);
        w.be16(0x001d);
        w.be16(32);
        random_bytes(w, rng, 32);
    } else {
        w.be16(0xff01);
        w.be16(1);
        w.u8(0);
        w.be16(0x0017);
        w.be16(0);
        if (!o.alpn.empty()) {  // TLS 1.2 answers ALPN in the clear
            const std::string_view first = o.alpn.substr(0, o.alpn.find(','));
            w.be16(16);
            w.be16(static_cast<unsigned>(first.size() + 3));
            w.be16(static_cast<unsigned>(first.size() + 1));
            w.u8(static_cast<unsigned>(first.size()));
            w.str(first);
        }
    }
    w.patch(ext, 2);
    w.patch(hs, 3);
}

void tls_record(ByteWriter& w, uint8_t type, const uint8_t* body, size_t len) {
    w.u8(type);
    w.be16(type == 22 && len > 0 && body[0] == 1 ? 0x0301 : 0x0303);
    w.be16(static_cast<unsigned>(len));
    w.bytes(body, len);
}

void ssh_banner(ByteWriter& w, std::string_view banner) {
    w.str(banner);
    w.str("\r\n");
}

void ssh_kexinit(ByteWriter& w, Rng& rng, bool server) {
    const size_t start = w.mark(5);
    w.u8(20);
    random_bytes(w, rng, 16);
    ssh_string(w, server ? "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256"
                         : "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ext-info-c");
    ssh_string(w, "ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256");
    for (int i = 0; i < 2; ++i) ssh_string(w, "chacha20-poly1305@openssh.com,aes128-ctr,aes256-gcm@openssh.com");
    for (int i = 0; i < 2; ++i) ssh_string(w, "umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-256");
    for (int i = 0; i < 2; ++i) ssh_string(w, "none,zlib@openssh.com");
    ssh_string(w, "");
    ssh_string(w, "");
    w.u8(0);
    w.be32(0);
    ssh_packet_end(w, rng, start);
}

void ssh_ecdh_init(ByteWriter& w, Rng& rng) {
    const size_t start = w.mark(5);
    w.u8(30);
    w.be32(32);
    random_bytes(w, rng, 32);
    ssh_packet_end(w, rng, start);
}

void ssh_ecdh_reply(ByteWriter& w, Rng& rng) {
    const size_t start = w.mark(5);
    w.u8(31);
    w.be32(51);  // host key blob: string "ssh-ed25519", string key(32)
    ssh_string(w, "ssh-ed25519");
    w.be32(32);
    random_bytes(w, rng, 32);
    w.be32(32);
    random_bytes(w, rng, 32);
    w.be32(83);  // signature blob: string "ssh-ed25519", string sig(64)
    ssh_string(w, "ssh-ed25519");
    w.be32(64);
    random_bytes(w, rng, 64);
    ssh_packet_end(w, rng, start);
}

void ssh_newkeys(ByteWriter& w) {
    // Fixed padding keeps this 16 bytes, as OpenSSH sends it.
    const uint8_t p[16] = {0, 0, 0, 12, 10, 21, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    w.bytes(p, sizeof p);
}

void dhcp_message(ByteWriter& w, DhcpType type, uint32_t xid, const uint8_t* client_mac, const uint8_t* your_ip,
                  const uint8_t* server_ip, std::string_view hostname) {
    const bool from_server = type == DhcpType::kOffer || type == DhcpType::kAck;
    w.u8(from_server ? 2 : 1);
    w.u8(1);  // Ethernet
    w.u8(6);
    w.u8(0);
    w.be32(xid);
    w.be16(0);
    w.be16(0x8000);  // broadcast flag
    w.zeros(4);      // ciaddr
    if (from_server) w.bytes(your_ip, 4);
    else w.zeros(4);
    if (from_server) w.bytes(server_ip, 4);
    else w.zeros(4);
    w.zeros(4);      // giaddr
    w.bytes(client_mac, 6);
    w.zeros(10 + 64 + 128);
    w.be32(0x63825363);
    w.u8(53);
    w.u8(1);
    w.u8(static_cast<unsigned>(type));
    if (!from_server) {
        w.u8(61);
        w.u8(7);
        w.u8(1);
        w.bytes(client_mac, 6);
        if (type == DhcpType::kRequest) {
            w.u8(50);
            w.u8(4);
            w.bytes(your_ip, 4);
            w.u8(54);
            w.u8(4);
            w.bytes(server_ip, 4);
        }
        w.u8(57);  // max message size
        w.u8(2);
        w.be16(1500);
        w.u8(12);
        w.u8(static_cast<unsigned>(hostname.size()));
        w.str(hostname);
        const uint8_t params[] = {1, 3, 6, 15, 26, 28, 51, 58, 59, 43, 119, 121};
        w.u8(55);
        w.u8(sizeof params);
        w.bytes(params, sizeof params);
    } else {
        w.u8(54);
        w.u8(4);
        w.bytes(server_ip, 4);
        w.u8(51);
        w.u8(4);
        w.be32(86400);
        w.u8(1);
        w.u8(4);
        w.be32(0xffff0000u);
        w.u8(3);
        w.u8(4);
        w.bytes(server_ip, 4);
        w.u8(6);
        w.u8(4);
        w.bytes(server_ip, 4);
        w.u8(15);
        w.u8(3);
        w.str("lan");
    }
    w.u8(255);
    while (w.size() % 4) w.u8(0);
}

void arp_body(ByteWriter& w, uint16_t op, const uint8_t* sender_mac, const uint8_t* sender_ip,
              const uint8_t* target_mac, const uint8_t* target_ip) {
    w.be16(1);
    w.be16(0x0800);
    w.u8(6);
    w.u8(4);
    w.be16(op);
    w.bytes(sender_mac, 6);
    w.bytes(sender_ip, 4);
    w.bytes(target_mac, 6);
    w.bytes(target_ip, 4);
}

namespace {

void smb2_header(ByteWriter& w, bool response) {
    const uint8_t magic[4] = {0xfe, 'S', 'M', 'B'};
    w.bytes(magic, 4);
    w.le16(64);           // StructureSize
    w.le16(0);            // CreditCharge
    w.le32(0);            // Status
    w.le16(0);            // Command: NEGOTIATE
    w.le16(1);            // Credits
    w.le32(response ? 1 : 0);
    w.le32(0);            // NextCommand
    w.le64(0);            // MessageId
    w.le32(0xfeff);       // Reserved (process id)
    w.le32(0);            // TreeId
    w.le64(0);            // SessionId
    w.zeros(16);          // Signature
}

}  // namespace

void smb2_negotiate_request(ByteWriter& w, Rng& rng) {
    w.u8(0);
    const size_t nb = w.mark(3);
    smb2_header(w, false);
    w.le16(36);
    w.le16(4);            // DialectCount
    w.le16(1);            // SecurityMode: signing enabled
    w.le16(0);
    w.le32(0x7f);         // Capabilities
    random_bytes(w, rng, 16);  // ClientGuid
    w.le64(0);            // ClientStartTime
    for (unsigned d : {0x0202u, 0x0210u, 0x0300u, 0x0302u}) w.le16(d);
    w.patch(nb, 3);
}

void smb2_negotiate_response(ByteWriter& w, Rng& rng) {
    w.u8(0);
    const size_t nb = w.mark(3);
    smb2_header(w, true);
    w.le16(65);
    w.le16(1);            // SecurityMode
    w.le16(0x0302);       // DialectRevision
    w.le16(0);
    random_bytes(w, rng, 16);  // ServerGuid
    w.le32(0x2f);         // Capabilities
    w.le32(8388608);      // MaxTransactSize
    w.le32(8388608);
    w.le32(8388608);
    w.le64(133485408000000000ULL);  // SystemTime (FILETIME, 2024-01-01)
    w.le64(0);
    w.le16(128);          // SecurityBufferOffset
    w.le16(0);            // SecurityBufferLength
    w.le32(0);
    w.patch(nb, 3);
}

}  // namespace nms::gen
