#pragma once
// Config: plain structs, one per [section] of config/netmonsec.toml. Loaded and validated
// by config_loader; the engine only ever sees a fully validated Config.
#include <cstdint>
#include <string>
#include <vector>

#include "flow/flow_timeouts.hpp"

namespace nms::config {

enum class CaptureMethod : uint8_t { kAfPacket, kPcap };

struct CaptureConfig {
    std::vector<std::string> interfaces;   // live capture; repeatable -i
    std::string pcap_file;                 // -r: replay a pcap/pcapng file instead
    double replay_speed = 0;               // 0 = as fast as possible; 1 = recorded timing
    uint32_t loop = 1;                     // replays of the file; 0 = forever
    CaptureMethod method = CaptureMethod::kAfPacket;
    uint32_t threads_per_interface = 1;    // AF_PACKET fanout members per NIC
    std::vector<int> cpus;                 // capture thread CPUs, in order; empty = auto
    uint32_t snaplen = 2048;               // bytes kept per frame (slab slot size)
    uint32_t block_size = 1u << 20;        // TPACKET_V3 block bytes (power of two, >= page)
    uint32_t block_count = 64;             // blocks per ring
    uint32_t block_timeout_ms = 10;        // kernel retires a partly filled block after this
    bool promiscuous = true;
    bool fanout_defrag = true;             // PACKET_FANOUT_FLAG_DEFRAG
    uint16_t fanout_group = 0;             // 0 = derived from the process id
    std::string bpf;                       // libpcap filter expression; empty = everything

    bool operator==(const CaptureConfig&) const = default;
};

struct PipelineConfig {
    uint32_t workers = 0;                  // 0 = auto (online CPUs - capture threads, >= 1)
    std::vector<int> worker_cpus;          // empty = auto
    uint32_t ring_size = 65536;            // packets per capture->worker SPSC ring
    uint32_t ring_bytes = 32u << 20;       // packet bytes buffered per capture->worker ring
    uint32_t memory_budget_mib = 0;        // 0 = each table sized by its own key

    bool operator==(const PipelineConfig&) const = default;
};

struct FlowConfig {
    uint32_t max_flows = 1u << 20;         // across all workers; split evenly
    flow::FlowTimeouts timeouts;

    bool operator==(const FlowConfig&) const = default;
};

struct StatsConfig {
    uint32_t interval_ms = 1000;
    uint32_t history_seconds = 3600;
    uint32_t top_talkers = 20;

    bool operator==(const StatsConfig&) const = default;
};

struct OutputConfig {
    std::string eve_path;                  // empty = off; "-" = stdout
    bool eve_flow = true;
    bool eve_stats = true;

    bool operator==(const OutputConfig&) const = default;
};

struct LogConfig {
    std::string level = "warn";            // error | warn | info | debug

    bool operator==(const LogConfig&) const = default;
};

struct DpiConfig {
    bool enabled = true;
    uint32_t max_contexts = 4096;          // flows classified/inspected at once, per worker
    uint32_t stream_bytes = 4096;          // buffered in-order TCP bytes per direction
    uint32_t max_packets = 32;             // payload packets to classify a flow
    uint32_t max_bytes = 16384;            // payload bytes to classify a flow
    bool events = true;                    // EVE events per transaction (dns, http, tls, ...)
    bool operator==(const DpiConfig&) const = default;
};

struct ApiUser {
    std::string name;
    std::string role;                      // "admin" | "viewer"
    std::string password_hash;             // crypt(3) string: $y$ (yescrypt) or $2b$/$2y$ (bcrypt)
    bool operator==(const ApiUser&) const = default;
};

struct ApiConfig {
    bool enabled = true;                   // --no-api turns it off
    std::string listen = "127.0.0.1:8080"; // ADDR:PORT, IPv6 as [::1]:8080
    bool listen_from_cli = false;          // --listen given (a replay starts the API only then)
    std::string dashboard_dir;             // static dashboard files; empty = not served
    bool metrics_auth = false;             // /metrics needs a session, Bearer token or Basic auth
    uint32_t session_ttl_s = 43200;        // a login lasts at most this long
    uint32_t session_idle_s = 1800;        // ... and ends after this long unused
    uint32_t login_max_failures = 5;       // failed logins per client address before a lockout
    uint32_t lockout_s = 300;
    uint32_t ws_write_timeout_s = 10;      // a WebSocket client that cannot take a frame this long is closed
    std::vector<ApiUser> users;
    bool operator==(const ApiConfig&) const = default;
};

struct ProcessConfig {
    std::string user;                      // switch to this user after opening sockets; "" = stay
    std::string group;                     // "" = the user's primary group
    bool operator==(const ProcessConfig&) const = default;
};

struct StorageConfig {
    std::string data_dir = "/var/lib/netmonsec";  // SQLite database + daily logs
    bool enabled = true;                   // history database + daily logs
    bool store_replays = false;            // -r / --demo write to the store (always with --data-dir)
    uint32_t flush_interval_ms = 1000;     // longest a row waits before its batch commits
    uint32_t batch_rows = 1000;            // rows per transaction, at most
    uint32_t queue_records = 65536;        // ended flows queued for the store thread
    uint32_t flows_retention_days = 30;
    uint32_t dns_retention_days = 90;
    uint32_t alerts_retention_days = 365;  // ended alerts and expired bans
    uint32_t stats_1s_retention_s = 3600;
    uint32_t stats_1m_retention_days = 30;
    uint32_t stats_1h_retention_days = 365;
    uint32_t max_db_mib = 4096;            // 0 = no cap; over it the oldest flows go first
    bool logs = true;                      // flows_YYYYMMDD.ndjson / .csv in data_dir
    bool logs_gzip = true;                 // compress closed days
    uint32_t logs_max_mib = 1024;          // all daily logs together; 0 = no cap
    std::string influx_udp;                // "ADDR:PORT" = stats as InfluxDB line protocol; "" = off
    bool data_dir_from_cli = false;        // not a key: --data-dir was given
    bool operator==(const StorageConfig&) const = default;
};

struct DevicesConfig {
    bool enabled = true;
    // Networks whose hosts are local: a device per MAC there; elsewhere the MAC is a router's
    // and a device is tracked per IP. Empty = RFC 1918, RFC 4193 fc00::/7 and link-local.
    std::vector<std::string> local_networks = {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                                               "169.254.0.0/16", "fc00::/7", "fe80::/10"};
    uint32_t max_devices = 4096;           // per worker and in the merged table; longest idle evicted
    std::string oui_file = "/usr/share/ieee-data/oui.csv";     // IEEE MA-L; missing = no vendors
    std::string oui_mam_file = "/usr/share/ieee-data/mam.csv"; // MA-M (/28), optional
    std::string oui36_file = "/usr/share/ieee-data/oui36.csv"; // MA-S (/36), optional
    std::string p0f_file = "/etc/p0f/p0f.fp";                  // p0f signature database
    bool site_fingerprints = true;         // learn <data_dir>/site.fp + site_fingerprints.tsv from devices of known OS
    bool site_fingerprints_replay = false; // also use and update them when replaying a file (-r)
    std::string geoip_db;                  // MaxMind DB with country/city (GeoLite2-Country/-City); "" = off
    std::string asn_db;                    // MaxMind DB with ASN (GeoLite2-ASN); "" = off
    bool operator==(const DevicesConfig&) const = default;
};

// [detect.<kind>]: what every detector section has. `severity` "" = the kind's default.
// allowlist / allowlist_macs: sources (attackers) this detector never alerts on; for kinds
// that name no source (a random-source flood) the victim is checked instead.
struct DetectorCommon {
    bool enabled = true;
    std::string severity;
    std::vector<std::string> allowlist;        // CIDRs
    std::vector<std::string> allowlist_macs;   // "aa:bb:cc:dd:ee:ff"
    bool operator==(const DetectorCommon&) const = default;
};

struct PortScanVerticalConfig : DetectorCommon {
    uint32_t window_s = 60;
    uint32_t min_ports = 100;              // distinct ports of one host probed by one source
    double max_answered_ratio = 0.5;       // share of probes the host accepted (SYN+ACK, UDP reply)
    bool operator==(const PortScanVerticalConfig&) const = default;
};

struct PortScanHorizontalConfig : DetectorCommon {
    uint32_t window_s = 60;
    uint32_t min_hosts = 64;               // distinct hosts probed on one port by one source
    double max_answered_ratio = 0.5;
    bool operator==(const PortScanHorizontalConfig&) const = default;
};

struct HostSweepConfig : DetectorCommon {
    uint32_t window_s = 60;
    uint32_t min_hosts = 32;               // distinct hosts of one /24 (IPv6: /64) probed by one source
    double max_answered_ratio = 0.5;
    bool operator==(const HostSweepConfig&) const = default;
};

struct SynFloodConfig : DetectorCommon {
    uint32_t window_s = 10;
    double min_syn_per_s = 500;            // SYNs to one victim, averaged over the window
    double max_completed_ratio = 0.2;      // completed handshakes per SYN
    double source_share = 0.5;             // one source sent this share: the alert names it
    bool operator==(const SynFloodConfig&) const = default;
};

struct IcmpFloodConfig : DetectorCommon {
    uint32_t window_s = 10;
    double min_pps = 500;                  // ICMP echo requests to one victim per second
    double source_share = 0.5;
    bool operator==(const IcmpFloodConfig&) const = default;
};

struct UdpFloodConfig : DetectorCommon {
    uint32_t window_s = 10;
    double min_pps = 10000;                // UDP packets to one victim per second
    double max_reply_ratio = 0.05;         // packets the victim sent back per packet received
    double source_share = 0.5;
    bool operator==(const UdpFloodConfig&) const = default;
};

struct DdosConfig : DetectorCommon {
    uint32_t window_s = 10;
    double min_pps = 10000;                // packets to one victim per second
    uint32_t min_sources = 5;              // many sources (a HyperLogLog estimate) ...
    double dominant_share = 0.9;           // ... or one source with this share of them
    double max_reply_ratio = 0.2;          // packets the victim sent back per packet received
    bool operator==(const DdosConfig&) const = default;
};

struct ExfiltrationConfig : DetectorCommon {
    uint32_t window_s = 600;
    double min_mb = 150;                   // MB (10^6 bytes) from one internal host to one external host
    bool operator==(const ExfiltrationConfig&) const = default;
};

struct TrafficSpikeConfig : DetectorCommon {
    uint32_t window_s = 10;                // the rate compared with the baseline is averaged over this
    double zscore = 6;                     // standard deviations above the EWMA baseline
    double min_host_mbps = 50;             // and at least this rate (one host, in + out)
    double min_global_mbps = 200;          // and at least this rate (all traffic)
    uint32_t warmup_s = 600;               // history a baseline needs before it is trusted
    uint32_t half_life_s = 3600;           // EWMA half-life of the baseline
    uint32_t max_hosts = 2048;             // per-host baselines kept (least recently active evicted)
    bool operator==(const TrafficSpikeConfig&) const = default;
};

struct NewDeviceConfig : DetectorCommon {
    bool operator==(const NewDeviceConfig&) const = default;
};

struct ArpScanConfig : DetectorCommon {
    uint32_t window_s = 60;
    uint32_t min_targets = 40;             // distinct IPs one MAC asked for with broadcast who-has
    bool operator==(const ArpScanConfig&) const = default;
};

struct ArpSpoofConfig : DetectorCommon {
    uint32_t window_s = 60;
    uint32_t min_claims = 3;               // ARP claims of an owned IP by another MAC in the window
    uint32_t owner_alive_s = 300;          // the owner claimed the IP this recently: it is still there
    uint32_t max_bindings = 16384;         // IP->MAC bindings remembered (least recently claimed evicted)
    bool operator==(const ArpSpoofConfig&) const = default;
};

struct DnsTunnelConfig : DetectorCommon {
    uint32_t window_s = 60;
    uint32_t min_unique_subdomains = 30;   // distinct names under one registered domain from one client
    uint32_t min_subdomain_len = 30;       // an encoded-looking query: this many characters left of the domain ...
    double min_entropy = 3.3;              // ... with at least this entropy (bits per character) ...
    uint32_t min_label_len = 40;           // ... or one label at least this long
    double min_encoded_ratio = 0.5;        // share of the queries that look encoded
    double min_txt_null_ratio = 0.8;       // or: share of TXT/NULL queries (download channel)
    std::vector<std::string> allow_domains = {
        "cloudfront.net", "akamaiedge.net", "akamai.net", "akamaihd.net", "edgekey.net", "edgesuite.net",
        "amazonaws.com", "azureedge.net", "azurefd.net", "trafficmanager.net", "windows.net", "fastly.net",
        "googlevideo.com", "googleusercontent.com", "gvt1.com", "1e100.net", "sophosxl.net", "mcafee.com",
        "e5.sk", "cymru.com", "spamhaus.org", "barracudacentral.org", "spamcop.net", "surbl.org", "uribl.com"};
    bool operator==(const DnsTunnelConfig&) const = default;
};

struct NxdomainStormConfig : DetectorCommon {
    uint32_t window_s = 60;
    uint32_t min_names = 50;               // distinct names answered NXDOMAIN to one client
    double min_ratio = 0.3;                // NXDOMAIN share of the client's DNS answers
    bool operator==(const NxdomainStormConfig&) const = default;
};

struct LateralMovementConfig : DetectorCommon {
    uint32_t window_s = 300;
    uint32_t min_hosts = 8;                // distinct internal hosts one internal host connected to
    double min_responded_ratio = 0.5;      // share of those hosts that answered (SYN+ACK or RST)
    std::vector<uint16_t> ports = {22, 135, 139, 445, 3389, 5985, 5986};
    bool operator==(const LateralMovementConfig&) const = default;
};

struct BruteForceConfig : DetectorCommon {
    uint32_t window_s = 120;
    uint32_t min_failures = 10;            // refused logins (DPI) from one client to one service
    uint32_t min_short_sessions = 12;      // or: short, small TCP sessions to a login port
    uint32_t max_session_s = 30;           // a short session ended (FIN/RST) within this ...
    uint32_t max_session_bytes = 16384;    // ... and the client sent at most this many bytes
    std::vector<uint16_t> session_ports = {21, 22, 23, 3389, 5900};
    bool operator==(const BruteForceConfig&) const = default;
};

struct DetectConfig {
    bool enabled = true;
    uint32_t episode_timeout_s = 120;      // an alert ends after this long without a new trigger
    uint32_t update_interval_s = 10;       // an ongoing alert is re-emitted at most this often
    uint32_t max_keys = 4096;              // per worker and per detector table (hosts, pairs); fixed memory
    std::vector<std::string> allowlist;        // CIDRs never alerted on as a source, by any detector
    std::vector<std::string> allowlist_macs;
    PortScanVerticalConfig port_scan_vertical;
    PortScanHorizontalConfig port_scan_horizontal;
    HostSweepConfig host_sweep;
    SynFloodConfig syn_flood;
    IcmpFloodConfig icmp_flood;
    UdpFloodConfig udp_flood;
    DdosConfig ddos;
    ExfiltrationConfig exfiltration;
    TrafficSpikeConfig traffic_spike;
    NewDeviceConfig new_device;
    ArpScanConfig arp_scan;
    ArpSpoofConfig arp_spoof;
    DnsTunnelConfig dns_tunnel;
    NxdomainStormConfig nxdomain_storm;
    LateralMovementConfig lateral_movement;
    BruteForceConfig brute_force;
    bool operator==(const DetectConfig&) const = default;
};

// Evidence PCAP: every worker keeps its recent packets (first `snaplen` bytes) in a ring; an
// alert writes its source's packets from before_s before to after_s after it into
// <data_dir>/evidence/alert-<id>.pcap.
struct EvidenceConfig {
    bool enabled = true;
    uint32_t ring_mib = 8;                 // per worker
    uint32_t snaplen = 256;                // bytes kept per packet
    uint32_t before_s = 10;
    uint32_t after_s = 10;
    uint32_t max_files = 100;              // oldest files deleted beyond this
    uint32_t max_total_mib = 256;          // ... or beyond this size of all files together
    bool operator==(const EvidenceConfig&) const = default;
};

// Automatic bans through an nftables `inet` table with timeout sets (Linux).
struct MitigationConfig {
    bool enabled = false;
    bool dry_run = true;                   // log and emit what would be banned, touch nothing
    uint32_t ban_seconds = 600;
    std::string min_severity = "high";     // info | low | medium | high | critical
    uint32_t max_bans_per_minute = 10;
    std::vector<std::string> allowlist;    // CIDRs never banned
    std::vector<std::string> protected_networks;  // key "protected": gateways, DNS servers, ...
    std::string table = "netmonsec";       // nft table name (family inet)
    bool operator==(const MitigationConfig&) const = default;
};

struct Config {
    CaptureConfig capture;
    PipelineConfig pipeline;
    FlowConfig flow;
    DpiConfig dpi;
    StatsConfig stats;
    OutputConfig output;
    LogConfig log;
    ApiConfig api;
    StorageConfig storage;
    DevicesConfig devices;
    DetectConfig detect;
    EvidenceConfig evidence;
    MitigationConfig mitigation;
    ProcessConfig process;
    bool demo = false;                     // --demo: generated traffic, no NIC, no privileges
    std::string path;                      // file it was loaded from ("" = built-in defaults)

    bool operator==(const Config&) const = default;
};

}  // namespace nms::config
