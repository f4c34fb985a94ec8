// The anomalies a monitor should notice, each as one Session of many frames.
#include <cstdio>
#include <cstring>

#include "gen/l7_payloads.hpp"
#include "gen/session_planner.hpp"
#include "gen/tcp_script.hpp"

namespace nms::gen {
namespace {

// Attackers outside sit at the top of 198.19.0.0/16, away from the server pool.
Endpoint attacker(uint32_t i) { return external_host(0xff00u + (i & 0xfe), false); }

}  // namespace

void SessionPlanner::plan_anomaly(Session& s, const AnomalySpec& spec) {
    s.reset();
    s.anomaly = true;
    s.kind = static_cast<uint8_t>(spec.kind);
    const uint32_t p = spec.param ? spec.param : anomaly_default_param(spec.kind);
    switch (spec.kind) {
        case AnomalyKind::kPortScan: anomaly_port_scan(s, p); break;
        case AnomalyKind::kHostSweep: anomaly_host_sweep(s, p); break;
        case AnomalyKind::kSynFlood: anomaly_syn_flood(s, p); break;
        case AnomalyKind::kDnsTunnel: anomaly_dns_tunnel(s, p); break;
        case AnomalyKind::kNxdomainStorm: anomaly_nxdomain(s, p); break;
        case AnomalyKind::kArpSpoof: anomaly_arp_spoof(s, p); break;
        case AnomalyKind::kExfiltration: anomaly_exfiltration(s, p); break;
        case AnomalyKind::kBruteForce: anomaly_brute_force(s, p); break;
        case AnomalyKind::kLateralMovement: anomaly_lateral(s, p); break;
    }
}

// One external scanner probes `ports` TCP ports of one local host: closed ports answer RST,
// a few well-known ones SYN-ACK (and the scanner resets, as nmap -sS does).
void SessionPlanner::anomaly_port_scan(Session& s, uint32_t ports) {
    const Endpoint scanner = with_port(attacker(rng_.u32()), static_cast<uint16_t>(40000 + rng_.below(20000)));
    const Endpoint target = local_host(rng_.below(n_local_), false);
    const uint32_t count = ports > 65535 ? 65535 : ports;
    const uint32_t base = rng_.below(65536 - count) + 1;
    for (uint32_t i = 0; i < count; ++i) {
        const auto port = static_cast<uint16_t>(base + i);
        TcpScript t(s, rng_, scanner, with_port(target, port), 48, 64);
        t.syn();
        const bool open = port == 22 || port == 80 || port == 443 || port == 445 || rng_.below(200) == 0;
        if (open) {
            t.syn_ack();
            t.rst(true, false);
        } else {
            t.rst(false);
        }
    }
}

// A local host pings `hosts` addresses of the LAN; about a third answer.
void SessionPlanner::anomaly_host_sweep(Session& s, uint32_t hosts) {
    const Endpoint src = local_host(rng_.below(n_local_), false);
    const uint16_t ident = rng_.u16();
    const auto echo = static_cast<uint32_t>(s.arena.size());
    const char pattern[] = "abcdefghijklmnopqrstuvwabcdefghi";
    s.arena.insert(s.arena.end(), pattern, pattern + 32);
    for (uint32_t i = 0; i < hosts; ++i) {
        Endpoint dst = local_host(i % 65000, false);
        dst.ip[2] = static_cast<uint8_t>(i >> 8);
        dst.ip[3] = static_cast<uint8_t>(i + 1);  // sweep 198.18.0.1 upwards
        for (int reply = 0; reply < (rng_.below(3) == 0 ? 2 : 1); ++reply) {
            Step& st = s.steps.emplace_back();
            st.src = reply ? dst : src;
            st.dst = reply ? src : dst;
            if (!reply) std::memcpy(st.dst.mac, kGatewayMac, 6);  // resolved via ARP, any MAC will do
            st.proto = 1;
            st.flags = reply ? 0 : 8;  // echo reply / request
            st.seq = (static_cast<uint32_t>(ident) << 16) | (i & 0xffff);
            st.kind = PayloadKind::kArena;
            st.off = echo;
            st.len = 32;
            st.first = reply == 0;
        }
    }
}

// Spoofed sources flood one local web server with SYNs; it answers some with SYN-ACKs.
void SessionPlanner::anomaly_syn_flood(Session& s, uint32_t syns) {
    const Endpoint server = with_port(local_host(rng_.below(n_local_), false), 80);
    for (uint32_t i = 0; i < syns; ++i) {
        Endpoint src = with_port(external_host(rng_.below(65000), false), static_cast<uint16_t>(1024 + rng_.below(64000)));
        TcpScript t(s, rng_, src, server, static_cast<uint8_t>(rng_.range(40, 250)), 64);
        t.syn();
        if (rng_.below(3) == 0) t.syn_ack();
    }
}

// Data smuggled out in DNS: long random labels under one domain, TXT answers, one socket.
void SessionPlanner::anomaly_dns_tunnel(Session& s, uint32_t queries) {
    const Endpoint c = random_client(false);
    const Endpoint r = with_port(gateway(false), 53);
    static constexpr char kB32[] = "abcdefghijklmnopqrstuvwxyz234567";
    for (uint32_t i = 0; i < queries; ++i) {
        std::string name;
        for (int label = 0; label < 3; ++label) {
            const uint32_t n = rng_.range(40, 60);
            for (uint32_t k = 0; k < n; ++k) name += kB32[rng_.below(32)];
            name += '.';
        }
        name += "t.tunnel-c2.example";
        dns_exchange(s, c, r, name, kDnsTxt, 0, i == 0);
    }
}

// Lookups of random (DGA-like) names that do not exist.
void SessionPlanner::anomaly_nxdomain(Session& s, uint32_t queries) {
    const uint32_t host = rng_.below(n_local_);
    const Endpoint r = with_port(gateway(false), 53);
    static constexpr const char* kTlds[] = {"example", "test", "invalid"};
    for (uint32_t i = 0; i < queries; ++i) {
        std::string name;
        const uint32_t n = rng_.range(8, 20);
        for (uint32_t k = 0; k < n; ++k) name += static_cast<char>('a' + rng_.below(26));
        name += '.';
        name += kTlds[rng_.below(3)];
        dns_exchange(s, client(host, false), r, name, kDnsA, 3, true);
    }
}

// A local host claims the gateway's address with its own MAC, to each victim and to all.
void SessionPlanner::anomaly_arp_spoof(Session& s, uint32_t replies) {
    const uint32_t host = rng_.below(n_local_);
    const Endpoint evil = local_host(host, false);
    const Endpoint gw = gateway(false);
    for (uint32_t i = 0; i < replies; ++i) {
        const Endpoint victim = local_host((host + 1 + i) % n_local_, false);
        const bool gratuitous = i % 4 == 0;
        scratch_.clear();
        ByteWriter w(scratch_);
        arp_body(w, 2, evil.mac, gw.ip, gratuitous ? kBroadcastMac : victim.mac, gratuitous ? gw.ip : victim.ip);
        Step& st = s.steps.emplace_back();
        st.src = evil;
        std::memcpy(st.dst.mac, gratuitous ? kBroadcastMac : victim.mac, 6);
        st.proto = 0;
        st.kind = PayloadKind::kArena;
        st.off = static_cast<uint32_t>(s.arena.size());
        st.len = static_cast<uint16_t>(scratch_.size());
        s.arena.insert(s.arena.end(), scratch_.begin(), scratch_.end());
    }
}

// One long TLS upload of `megabytes` to a never-seen external host.
void SessionPlanner::anomaly_exfiltration(Session& s, uint32_t megabytes) {
    const Endpoint c = random_client(false);
    const Endpoint srv = with_port(attacker(rng_.u32()), 443);
    TcpScript t(s, rng_, c, srv);
    t.handshake();
    std::vector<uint8_t> msg;
    ByteWriter mw(msg);
    TlsHelloOptions ho;
    ho.sni = "files.storage-drop.example";
    ho.alpn = "http/1.1";
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
    t.send_bytes(false, scratch_);
    scratch_.clear();
    tls_record(w, 20, &ccs, 1);
    t.send_bytes(true, scratch_);
    const uint64_t total = static_cast<uint64_t>(megabytes) << 20;
    for (uint64_t done = 0; done < total; done += 64 * kMss) t.tls_data(true, 64 * kMss);
    t.tls_data(false, 200);
    t.close(true);
}

// An external host tries `attempts` SSH logins on one local server, each a new connection
// that the server closes after a few encrypted exchanges.
void SessionPlanner::anomaly_brute_force(Session& s, uint32_t attempts) {
    const Endpoint srv = with_port(local_host(rng_.below(n_local_), false), 22);
    const Endpoint atk = attacker(rng_.u32());
    uint16_t port = static_cast<uint16_t>(30000 + rng_.below(20000));
    for (uint32_t i = 0; i < attempts; ++i) {
        port = port >= 65535 ? 1024 : static_cast<uint16_t>(port + 1);
        ssh_connection(s, with_port(atk, port), srv, 3, true);
    }
}

// One internal host opens SMB sessions to `hosts` of its neighbours in quick succession.
void SessionPlanner::anomaly_lateral(Session& s, uint32_t hosts) {
    const uint32_t src = rng_.below(n_local_);
    for (uint32_t i = 0; i < hosts; ++i) {
        const Endpoint dst = with_port(local_host((src + 1 + i) % n_local_, false), 445);
        smb2_connection(s, client(src, false), dst);
    }
}

}  // namespace nms::gen
