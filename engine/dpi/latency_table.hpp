#pragma once
// LatencyTable: one worker's latency histograms per application protocol (DNS query ->
// response, HTTP request -> first response, TLS ClientHello -> ServerHello, ...) plus the
// TCP handshake, and per (server, protocol) for a bounded set of servers. Snapshots copy
// it; the stats thread merges the copies. Recording never allocates.
#include <array>
#include <cstdint>
#include <memory>

#include "common/ip_addr.hpp"
#include "common/latency_histogram.hpp"
#include "dpi/app_id.hpp"

namespace nms::dpi {

inline constexpr size_t kLatencyApps = 65;        // AppId 1..64; slot 0 = TCP handshake
inline constexpr AppId kLatencyTcpHandshake = 0;

struct ServerLatency {
    IpAddr server;
    AppId app = 0;
    bool used = false;
    LatencyHistogram hist;
};

class LatencyTable {
 public:
    static constexpr uint32_t kServerSlots = 256;   // power of two

    LatencyTable() : servers_(std::make_unique<ServerLatency[]>(kServerSlots)) {}
    LatencyTable(const LatencyTable& o) : per_app_(o.per_app_), untracked_(o.untracked_),
                                          servers_(std::make_unique<ServerLatency[]>(kServerSlots)) {
        for (uint32_t i = 0; i < kServerSlots; ++i) servers_[i] = o.servers_[i];
    }
    LatencyTable& operator=(const LatencyTable&) = delete;

    void record(AppId app, const IpAddr& server, uint64_t us) noexcept {
        if (app >= kLatencyApps) return;
        per_app_[app].record(us);
        if (ServerLatency* s = server_slot(server, app)) s->hist.record(us);
    }

    [[nodiscard]] const LatencyHistogram& app(AppId a) const noexcept { return per_app_[a < kLatencyApps ? a : 0]; }
    [[nodiscard]] const ServerLatency& server(uint32_t i) const noexcept { return servers_[i]; }
    [[nodiscard]] uint64_t untracked() const noexcept { return untracked_; }

 private:
    ServerLatency* server_slot(const IpAddr& ip, AppId app) noexcept {
        uint64_t h = app * 0x9e3779b97f4a7c15ULL;
        for (uint8_t b : ip.bytes) h = (h ^ b) * 0x100000001b3ULL;
        for (uint32_t probe = 0; probe < 8; ++probe) {  // short probe: a full table just stops tracking
            ServerLatency& s = servers_[(h + probe) & (kServerSlots - 1)];
            if (!s.used) {
                s.used = true;
                s.server = ip;
                s.app = app;
                return &s;
            }
            if (s.app == app && s.server == ip) return &s;
        }
        ++untracked_;
        return nullptr;
    }

    std::array<LatencyHistogram, kLatencyApps> per_app_{};
    uint64_t untracked_ = 0;
    std::unique_ptr<ServerLatency[]> servers_;
};

}  // namespace nms::dpi
