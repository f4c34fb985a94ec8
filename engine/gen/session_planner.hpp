#pragma once
// SessionPlanner: turns the options and the random stream into concrete sessions — which
// host talks to which server, with what names, sizes and protocol bytes. Planning runs
// once per conversation; emitting its frames is the generator's hot loop.
#include <cstdint>
#include <string>
#include <vector>

#include "gen/gen_options.hpp"
#include "gen/rng.hpp"
#include "gen/session.hpp"

namespace nms::gen {

class SessionPlanner {
 public:
    SessionPlanner(const GenOptions& options, uint64_t seed);

    // A normal conversation, of a kind drawn from the mix.
    void plan(Session& s);
    void plan_kind(Session& s, SessionKind kind);
    // An anomaly; spec.param 0 = the kind's default size.
    void plan_anomaly(Session& s, const AnomalySpec& spec);

    [[nodiscard]] uint32_t local_hosts() const noexcept { return n_local_; }

 private:
    Endpoint client(uint32_t host, bool v6);   // local host with a fresh ephemeral port
    Endpoint random_client(bool v6);
    Endpoint server_for(const std::string& name, bool v6, uint16_t port);
    uint16_t ephemeral(uint32_t host);
    bool pick_v6();
    std::string pick_name();
    std::string host_name(uint32_t host) const;
    uint32_t log_uniform(uint32_t lo, uint32_t hi);
    size_t imix_frame();

    void plan_dns(Session& s);
    void plan_http(Session& s);
    void plan_tls(Session& s);
    void plan_quic(Session& s);
    void plan_ssh(Session& s);
    void plan_smb2(Session& s);
    void plan_dhcp(Session& s);
    void plan_mdns(Session& s);
    void plan_arp(Session& s);
    void plan_bulk_tcp(Session& s);
    void plan_bulk_udp(Session& s);

    // Shared by normal sessions and anomalies.
    void dns_exchange(Session& s, const Endpoint& c, const Endpoint& r, const std::string& name, uint16_t qtype,
                      uint8_t rcode, bool first);
    void ssh_connection(Session& s, const Endpoint& c, const Endpoint& srv, size_t encrypted_exchanges,
                        bool server_closes);
    void smb2_connection(Session& s, const Endpoint& c, const Endpoint& srv);
    void udp_step(Session& s, const Endpoint& src, const Endpoint& dst, const std::vector<uint8_t>& payload,
                  bool first, uint8_t ttl = 64);

    void anomaly_port_scan(Session& s, uint32_t ports);
    void anomaly_host_sweep(Session& s, uint32_t hosts);
    void anomaly_syn_flood(Session& s, uint32_t syns);
    void anomaly_dns_tunnel(Session& s, uint32_t queries);
    void anomaly_nxdomain(Session& s, uint32_t queries);
    void anomaly_arp_spoof(Session& s, uint32_t replies);
    void anomaly_exfiltration(Session& s, uint32_t megabytes);
    void anomaly_brute_force(Session& s, uint32_t attempts);
    void anomaly_lateral(Session& s, uint32_t hosts);

    GenOptions o_;
    Rng rng_;
    uint32_t n_local_;
    uint32_t n_ext_;
    std::vector<uint16_t> next_port_;
    std::vector<uint32_t> weights_;  // cumulative, per SessionKind
    std::vector<uint8_t> scratch_;
};

}  // namespace nms::gen
