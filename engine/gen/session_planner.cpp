#include "gen/session_planner.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "gen/l7_payloads.hpp"
#include "gen/quic_initial.hpp"
#include "gen/tcp_script.hpp"

namespace nms::gen {
namespace {

constexpr const char* kPrefixes[] = {"www", "api", "cdn", "static", "mail", "login", "img", "update", "assets",
                                     "video", "telemetry", "auth"};
constexpr const char* kDomains[] = {"example.com", "example.net", "example.org", "shop.example", "news.example",
                                    "cloud.example", "video.example", "social.example", "bank.example",
                                    "games.example", "maps.example", "office.example"};
constexpr const char* kPaths[] = {"/", "/index.html", "/api/v1/items?page=2", "/static/app.js", "/img/logo.png",
                                  "/login", "/search?q=network+monitor", "/updates/manifest.json"};
constexpr const char* kUserAgents[] = {
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
    "curl/7.88.1", "Debian APT-HTTP/1.3 (2.6.1)"};
constexpr const char* kHostKinds[] = {"laptop", "desktop", "iphone", "android", "printer", "tv", "nas", "camera"};
constexpr const char* kSshClients[] = {"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2", "SSH-2.0-PuTTY_Release_0.80",
                                       "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6"};
constexpr const char* kSshServers[] = {"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2",
                                       "SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u3", "SSH-2.0-dropbear_2022.83"};

template <size_t N>
const char* pick(Rng& rng, const char* const (&arr)[N]) {
    return arr[rng.below(static_cast<uint32_t>(N))];
}

uint32_t name_hash(const std::string& s) {
    uint32_t h = 2166136261u;
    for (char c : s) h = (h ^ static_cast<uint8_t>(c)) * 16777619u;
    return h;
}

}  // namespace

const char* session_kind_name(SessionKind kind) noexcept {
    static constexpr const char* kNames[kSessionKinds] = {"dns", "http", "tls", "quic", "ssh", "smb2",
                                                          "dhcp", "mdns", "arp", "bulk-tcp", "bulk-udp"};
    return kNames[static_cast<int>(kind)];
}

SessionPlanner::SessionPlanner(const GenOptions& options, uint64_t seed) : o_(options), rng_(seed) {
    n_local_ = o_.local_hosts ? o_.local_hosts : std::clamp<uint32_t>(o_.flows / 4, 16, 60000);
    n_local_ = std::min<uint32_t>(n_local_, 65000);
    n_ext_ = std::clamp<uint32_t>(o_.flows, 64, 60000);
    next_port_.resize(n_local_);
    for (auto& p : next_port_) p = static_cast<uint16_t>(32768 + rng_.below(28000));
    // Relative weights per SessionKind, in enum order.
    uint32_t w[kSessionKinds] = {0};
    if (o_.mix == Mix::kL7) {
        const uint32_t l7[kSessionKinds] = {28, 12, 24, 10, 3, 3, 2, 4, 6, 0, 0};
        std::memcpy(w, l7, sizeof w);
    } else {
        w[static_cast<int>(SessionKind::kBulkTcp)] = 6;
        w[static_cast<int>(SessionKind::kBulkUdp)] = 4;
    }
    if (o_.only_kind >= 0 && o_.only_kind < kSessionKinds) {
        for (auto& x : w) x = 0;
        w[o_.only_kind] = 1;
    }
    uint32_t sum = 0;
    for (auto x : w) weights_.push_back(sum += x);
}

uint16_t SessionPlanner::ephemeral(uint32_t host) {
    uint16_t& p = next_port_[host % n_local_];
    p = p >= 65535 ? 1024 : static_cast<uint16_t>(p + 1);
    return p;
}

Endpoint SessionPlanner::client(uint32_t host, bool v6) {
    return with_port(local_host(host % n_local_, v6), ephemeral(host));
}

Endpoint SessionPlanner::random_client(bool v6) { return client(rng_.below(n_local_), v6); }

Endpoint SessionPlanner::server_for(const std::string& name, bool v6, uint16_t port) {
    return with_port(external_host(name_hash(name) % n_ext_, v6), port);
}

bool SessionPlanner::pick_v6() { return o_.v6_share > 0 && rng_.chance(o_.v6_share); }

std::string SessionPlanner::pick_name() {
    return std::string(pick(rng_, kPrefixes)) + "." + pick(rng_, kDomains);
}

std::string SessionPlanner::host_name(uint32_t host) const {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s-%u", kHostKinds[host % 8], host);
    return buf;
}

uint32_t SessionPlanner::log_uniform(uint32_t lo, uint32_t hi) {
    const double l = std::log(static_cast<double>(lo)), h = std::log(static_cast<double>(hi));
    return static_cast<uint32_t>(std::exp(l + (h - l) * rng_.unit()));
}

size_t SessionPlanner::imix_frame() {
    if (o_.mix == Mix::k64) return 60;
    const uint32_t r = rng_.below(12);  // 7:4:1
    return r < 7 ? 60 : (r < 11 ? 590 : 1514);
}

void SessionPlanner::plan(Session& s) {
    const uint32_t r = rng_.below(weights_.back());
    int k = 0;
    while (r >= weights_[static_cast<size_t>(k)]) ++k;
    plan_kind(s, static_cast<SessionKind>(k));
}

void SessionPlanner::plan_kind(Session& s, SessionKind kind) {
    s.reset();
    s.anomaly = false;
    s.kind = static_cast<uint8_t>(kind);
    switch (kind) {
        case SessionKind::kDns: plan_dns(s); break;
        case SessionKind::kHttp: plan_http(s); break;
        case SessionKind::kTls: plan_tls(s); break;
        case SessionKind::kQuic: plan_quic(s); break;
        case SessionKind::kSsh: plan_ssh(s); break;
        case SessionKind::kSmb2: plan_smb2(s); break;
        case SessionKind::kDhcp: plan_dhcp(s); break;
        case SessionKind::kMdns: plan_mdns(s); break;
        case SessionKind::kArp: plan_arp(s); break;
        case SessionKind::kBulkTcp: plan_bulk_tcp(s); break;
        case SessionKind::kBulkUdp: plan_bulk_udp(s); break;
    }
}

void SessionPlanner::udp_step(Session& s, const Endpoint& src, const Endpoint& dst,
                              const std::vector<uint8_t>& payload, bool first, uint8_t ttl) {
    Step& st = s.steps.emplace_back();
    st.src = src;
    st.dst = dst;
    st.proto = 17;
    st.kind = PayloadKind::kArena;
    st.off = static_cast<uint32_t>(s.arena.size());
    st.len = static_cast<uint16_t>(payload.size());
    st.ttl = ttl;
    st.first = first;
    s.arena.insert(s.arena.end(), payload.begin(), payload.end());
}

void SessionPlanner::dns_exchange(Session& s, const Endpoint& c, const Endpoint& r, const std::string& name,
                                  uint16_t qtype, uint8_t rcode, bool first) {
    const uint16_t id = rng_.u16();
    scratch_.clear();
    ByteWriter q(scratch_);
    dns_query(q, id, name, qtype);
    udp_step(s, c, r, scratch_, first);
    scratch_.clear();
    ByteWriter a(scratch_);
    dns_response(a, rng_, id, name, qtype, rcode, rcode ? 0 : rng_.range(1, 3));
    udp_step(s, r, c, scratch_, false);
}

void SessionPlanner::plan_dns(Session& s) {
    const bool v6 = pick_v6();
    const Endpoint c = random_client(v6);
    const Endpoint r = with_port(gateway(v6), 53);
    const uint16_t qtype = rng_.chance(0.3) ? kDnsAaaa : kDnsA;
    dns_exchange(s, c, r, pick_name(), qtype, rng_.chance(0.04) ? 3 : 0, true);
}

void SessionPlanner::plan_http(Session& s) {
    const bool v6 = pick_v6();
    const std::string host = pick_name();
    const Endpoint c = random_client(v6);
    const Endpoint srv = server_for(host, v6, rng_.chance(0.9) ? 80 : 8080);
    TcpScript t(s, rng_, c, srv);
    t.handshake();
    const uint32_t requests = rng_.range(1, 3);
    for (uint32_t i = 0; i < requests; ++i) {
        scratch_.clear();
        ByteWriter w(scratch_);
        http_request(w, "GET", host, pick(rng_, kPaths), pick(rng_, kUserAgents), 0);
        t.send_bytes(true, scratch_);
        const uint32_t body = log_uniform(200, 120000);
        const bool ok = rng_.below(10) != 0;
        scratch_.clear();
        ByteWriter h(scratch_);
        if (ok) http_response_head(h, 200, "OK", "text/html; charset=utf-8", body);
        else http_response_head(h, 404, "Not Found", "text/html", 0);
        // Head and body leave in the same stream: head from the arena, body from the text pool.
        const auto off = static_cast<uint32_t>(s.arena.size());
        s.arena.insert(s.arena.end(), scratch_.begin(), scratch_.end());
        t.send(false, PayloadKind::kArena, off, scratch_.size());
        if (ok) t.send(false, PayloadKind::kText, 0, body);
    }
    t.close(true);
    s.steps.front().first = true;
}

void SessionPlanner::plan_tls(Session& s) {
    const bool v6 = pick_v6();
    const std::string sni = pick_name();
    const Endpoint c = random_client(v6);
    const Endpoint srv = server_for(sni, v6, 443);
    TlsHelloOptions ho;
    ho.tls13 = rng_.below(5) != 0;
    ho.sni = sni;
    ho.alpn = rng_.chance(0.7) ? "h2,http/1.1" : "http/1.1";
    TcpScript t(s, rng_, c, srv);
    t.handshake();
    std::vector<uint8_t> msg;
    ByteWriter mw(msg);
    tls_client_hello_msg(mw, rng_, ho);
    scratch_.clear();
    ByteWriter w(scratch_);
    tls_record(w, 22, msg.data(), msg.size());
    t.send_bytes(true, scratch_);

    msg.clear();
    tls_server_hello_msg(mw, rng_, ho);
    scratch_.clear();
    tls_record(w, 22, msg.data(), msg.size());
    const uint8_t ccs = 1;
    tls_record(w, 20, &ccs, 1);
    // TLS 1.3: encrypted extensions..finished; TLS 1.2 (abbreviated): encrypted Finished.
    msg.assign(ho.tls13 ? rng_.range(2000, 4000) : 40, 0);
    rng_.fill(msg.data(), msg.size());
    tls_record(w, ho.tls13 ? 23 : 22, msg.data(), msg.size());
    t.send_bytes(false, scratch_);

    scratch_.clear();
    tls_record(w, 20, &ccs, 1);
    msg.assign(ho.tls13 ? 53 : 40, 0);
    rng_.fill(msg.data(), msg.size());
    tls_record(w, ho.tls13 ? 23 : 22, msg.data(), msg.size());
    t.send_bytes(true, scratch_);

    const uint32_t exchanges = rng_.range(1, 4);
    for (uint32_t i = 0; i < exchanges; ++i) {
        t.tls_data(true, rng_.range(80, 900));
        t.tls_data(false, log_uniform(100, 150000));
    }
    t.close(rng_.chance(0.5));
}

void SessionPlanner::plan_quic(Session& s) {
    const bool v6 = pick_v6();
    const std::string sni = pick_name();
    const Endpoint c = random_client(v6);
    const Endpoint srv = server_for(sni, v6, 443);
    uint8_t dcid[8], cscid[8], sscid[8];
    rng_.fill(dcid, 8);
    rng_.fill(cscid, 8);
    rng_.fill(sscid, 8);
    TlsHelloOptions ho;
    ho.quic = true;
    ho.sni = sni;
    ho.alpn = "h3";

    // Client Initial: CRYPTO frame with the ClientHello, padded to a 1200-byte datagram.
    std::vector<uint8_t> hello;
    ByteWriter hw(hello);
    tls_client_hello_msg(hw, rng_, ho);
    std::vector<uint8_t> frames;
    ByteWriter fw(frames);
    fw.u8(0x06);
    fw.varint(0);
    fw.varint(hello.size());
    fw.bytes(hello.data(), hello.size());
    QuicInitialKeys ck, sk;
    std::vector<uint8_t> dgram;
    const bool keys = derive_quic_initial_keys(dcid, 8, false, ck) && derive_quic_initial_keys(dcid, 8, true, sk);
    QuicLongHeader h{0, dcid, 8, cscid, 8, 0};
    if (!keys || !append_quic_initial(dgram, ck, h, frames.data(), frames.size(), 1200)) return;
    udp_step(s, c, srv, dgram, true);

    // Server Initial (ACK + CRYPTO ServerHello) coalesced with an opaque Handshake packet.
    hello.clear();
    tls_server_hello_msg(hw, rng_, ho);
    frames.clear();
    fw.u8(0x02);  // ACK of packet 0
    fw.varint(0);
    fw.varint(0);
    fw.varint(0);
    fw.varint(0);
    fw.u8(0x06);
    fw.varint(0);
    fw.varint(hello.size());
    fw.bytes(hello.data(), hello.size());
    dgram.clear();
    QuicLongHeader sh{0, cscid, 8, sscid, 8, 0};
    if (!append_quic_initial(dgram, sk, sh, frames.data(), frames.size(), 0)) return;
    {
        ByteWriter dw(dgram);
        const size_t body = 1200 - dgram.size() - 1 - 4 - 1 - 8 - 1 - 8 - 2;
        dw.u8(0xe0u | rng_.below(16));  // Handshake, protected bits look random anyway
        dw.be32(1);
        dw.u8(8);
        dw.bytes(cscid, 8);
        dw.u8(8);
        dw.bytes(sscid, 8);
        dw.be16(0x4000u | static_cast<unsigned>(body));
        for (size_t i = 0; i < body; ++i) dw.u8(static_cast<unsigned>(rng_.next() >> 56));
    }
    udp_step(s, srv, c, dgram, false, 56);

    // 1-RTT traffic: short headers to the peer's connection id.
    const auto cid_c = static_cast<uint32_t>(s.arena.size());
    s.arena.insert(s.arena.end(), sscid, sscid + 8);  // client -> server uses the server's id
    const auto cid_s = static_cast<uint32_t>(s.arena.size());
    s.arena.insert(s.arena.end(), cscid, cscid + 8);
    const uint32_t n = rng_.range(4, 40);
    for (uint32_t i = 0; i < n; ++i) {
        const bool up = i % 4 == 0;
        Step& st = s.steps.emplace_back();
        st.src = up ? c : srv;
        st.dst = up ? srv : c;
        st.proto = 17;
        st.kind = PayloadKind::kQuicShort;
        st.off = up ? cid_c : cid_s;
        st.len = static_cast<uint16_t>(up ? rng_.range(40, 300) : rng_.range(200, 1252));
        st.ttl = up ? 64 : 56;
    }
}

void SessionPlanner::ssh_connection(Session& s, const Endpoint& c, const Endpoint& srv, size_t encrypted_exchanges,
                                    bool server_closes) {
    TcpScript t(s, rng_, c, srv);
    t.handshake();
    scratch_.clear();
    ByteWriter w(scratch_);
    ssh_banner(w, pick(rng_, kSshServers));
    t.send_bytes(false, scratch_);
    scratch_.clear();
    ssh_banner(w, pick(rng_, kSshClients));
    t.send_bytes(true, scratch_);
    scratch_.clear();
    ssh_kexinit(w, rng_, false);
    t.send_bytes(true, scratch_);
    scratch_.clear();
    ssh_kexinit(w, rng_, true);
    t.send_bytes(false, scratch_);
    scratch_.clear();
    ssh_ecdh_init(w, rng_);
    t.send_bytes(true, scratch_);
    scratch_.clear();
    ssh_ecdh_reply(w, rng_);
    ssh_newkeys(w);
    t.send_bytes(false, scratch_);
    scratch_.clear();
    ssh_newkeys(w);
    t.send_bytes(true, scratch_);
    for (size_t i = 0; i < encrypted_exchanges; ++i) {
        t.send(true, PayloadKind::kRandom, 0, 36 + 16 * rng_.below(20));
        t.send(false, PayloadKind::kRandom, 0, 36 + 16 * rng_.below(90));
    }
    t.close(!server_closes);
}

void SessionPlanner::plan_ssh(Session& s) {
    const bool v6 = pick_v6();
    const Endpoint c = random_client(v6);
    // Half to an internal server, half to the internet.
    const Endpoint srv = rng_.chance(0.5) ? with_port(local_host(rng_.below(n_local_), v6), 22)
                                          : with_port(external_host(rng_.below(n_ext_), v6), 22);
    ssh_connection(s, c, srv, rng_.range(2, 30), false);
    s.steps.front().first = true;
}

void SessionPlanner::smb2_connection(Session& s, const Endpoint& c, const Endpoint& srv) {
    TcpScript t(s, rng_, c, srv, 128, 128);
    t.handshake();
    scratch_.clear();
    ByteWriter w(scratch_);
    smb2_negotiate_request(w, rng_);
    t.send_bytes(true, scratch_);
    scratch_.clear();
    smb2_negotiate_response(w, rng_);
    t.send_bytes(false, scratch_);
    t.close(true);
}

void SessionPlanner::plan_smb2(Session& s) {
    const bool v6 = pick_v6();
    const Endpoint c = random_client(v6);
    const Endpoint srv = with_port(local_host(rng_.below(n_local_), v6), 445);
    const size_t at = s.steps.size();
    smb2_connection(s, c, srv);
    s.steps[at].first = true;
}

void SessionPlanner::plan_dhcp(Session& s) {
    const uint32_t host = rng_.below(n_local_);
    const Endpoint me = local_host(host, false);
    const Endpoint gw = gateway(false);
    Endpoint any;
    std::memcpy(any.mac, me.mac, 6);
    any.port = 68;
    Endpoint bcast;
    std::memcpy(bcast.mac, kBroadcastMac, 6);
    std::memset(bcast.ip, 0xff, 4);
    const Endpoint server = with_port(gw, 67);
    const uint32_t xid = rng_.u32();
    const std::string name = host_name(host);
    const DhcpType seq[4] = {DhcpType::kDiscover, DhcpType::kOffer, DhcpType::kRequest, DhcpType::kAck};
    for (int i = 0; i < 4; ++i) {
        scratch_.clear();
        ByteWriter w(scratch_);
        dhcp_message(w, seq[i], xid, me.mac, me.ip, gw.ip, name);
        const bool from_server = i % 2 == 1;
        udp_step(s, from_server ? server : any, with_port(bcast, from_server ? 68 : 67), scratch_, i < 2,
                 from_server ? 64 : 64);
    }
}

void SessionPlanner::plan_mdns(Session& s) {
    const uint32_t host = rng_.below(n_local_);
    const bool v6 = pick_v6();
    const Endpoint me = with_port(local_host(host, v6), 5353);
    Endpoint group;
    group.v6 = v6;
    group.port = 5353;
    if (v6) {
        const uint8_t mac[6] = {0x33, 0x33, 0, 0, 0, 0xfb};
        const uint8_t ip[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfb};
        std::memcpy(group.mac, mac, 6);
        std::memcpy(group.ip, ip, 16);
    } else {
        const uint8_t mac[6] = {0x01, 0x00, 0x5e, 0, 0, 0xfb};
        const uint8_t ip[4] = {224, 0, 0, 251};
        std::memcpy(group.mac, mac, 6);
        std::memcpy(group.ip, ip, 4);
    }
    scratch_.clear();
    ByteWriter w(scratch_);
    mdns_announcement(w, host_name(host), me.ip, v6);
    udp_step(s, me, group, scratch_, true, 255);
}

void SessionPlanner::plan_arp(Session& s) {
    const uint32_t host = rng_.below(n_local_);
    const Endpoint me = local_host(host, false);
    // Ask for the gateway most of the time, otherwise for a neighbour.
    const Endpoint target = rng_.chance(0.7) ? gateway(false) : local_host(rng_.below(n_local_), false);
    const uint8_t zero[6] = {0};
    for (int i = 0; i < 2; ++i) {
        scratch_.clear();
        ByteWriter w(scratch_);
        if (i == 0) arp_body(w, 1, me.mac, me.ip, zero, target.ip);
        else arp_body(w, 2, target.mac, target.ip, me.mac, me.ip);
        Step& st = s.steps.emplace_back();
        st.src = i == 0 ? me : target;
        std::memcpy(st.dst.mac, i == 0 ? kBroadcastMac : me.mac, 6);
        st.proto = 0;
        st.kind = PayloadKind::kArena;
        st.off = static_cast<uint32_t>(s.arena.size());
        st.len = static_cast<uint16_t>(scratch_.size());
        s.arena.insert(s.arena.end(), scratch_.begin(), scratch_.end());
    }
}

void SessionPlanner::plan_bulk_tcp(Session& s) {
    const bool v6 = o_.mix != Mix::k64 && pick_v6();
    const Endpoint c = random_client(v6);
    const Endpoint srv = with_port(external_host(rng_.below(n_ext_), v6), rng_.chance(0.5) ? 5201 : 9001);
    TcpScript t(s, rng_, c, srv);
    t.handshake(o_.mix != Mix::k64);
    const size_t hdr = v6 ? 74 : 54;
    const uint32_t n = rng_.range(8, 120);
    for (uint32_t i = 0; i < n; ++i) {
        const size_t frame = std::max(imix_frame(), hdr + 1);
        t.data(rng_.below(4) != 0, PayloadKind::kRandom, frame - hdr);
    }
    t.close(true);
    s.steps.front().first = true;
}

void SessionPlanner::plan_bulk_udp(Session& s) {
    const bool v6 = o_.mix != Mix::k64 && pick_v6();
    const Endpoint c = random_client(v6);
    const Endpoint srv = with_port(external_host(rng_.below(n_ext_), v6), rng_.chance(0.5) ? 5201 : 9001);
    const size_t hdr = v6 ? 62 : 42;
    const uint32_t n = rng_.range(8, 120);
    for (uint32_t i = 0; i < n; ++i) {
        const bool up = rng_.below(3) != 0;
        const size_t frame = std::max(imix_frame(), hdr + 1);
        Step& st = s.steps.emplace_back();
        st.src = up ? c : srv;
        st.dst = up ? srv : c;
        st.proto = 17;
        st.kind = PayloadKind::kRandom;
        st.len = static_cast<uint16_t>(frame - hdr);
        st.off = rng_.below(static_cast<uint32_t>(kPoolSize));
        st.ttl = up ? 64 : 56;
        st.first = i == 0;
    }
}

}  // namespace nms::gen
