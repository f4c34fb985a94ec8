#pragma once
// Helpers for the store tests: temporary directories and synthetic records.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "dpi/app_event.hpp"
#include "pipeline/flow_record.hpp"
#include "store/dns_observation.hpp"

namespace nms::store::test {

class TempDir {
 public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "nms_store_XXXXXX").string();
        path_ = mkdtemp(tmpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::string& path() const { return path_; }
    [[nodiscard]] std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
    std::string path_;
};

// A TCP (or UDP) flow 10.0.0.<client>:<cport> -> 192.0.2.<server>:<sport>, ended at end_ns.
inline pipeline::FlowRecord make_flow(uint64_t id, uint8_t client, uint8_t server, uint16_t cport, uint16_t sport,
                                      TimestampNs end_ns, uint8_t proto = 6, uint16_t app = 0) {
    pipeline::FlowRecord r{};
    flow::Flow& f = r.flow;
    const uint8_t c[4] = {10, 0, 0, client};
    const uint8_t s[4] = {192, 0, 2, server};
    f.key.addr_lo = IpAddr::from_v4(c);
    f.key.addr_hi = IpAddr::from_v4(s);
    f.key.port_lo = cport;
    f.key.port_hi = sport;
    f.key.proto = proto;
    f.client_is_lo = true;
    f.flow_id = id;
    f.first_ns = end_ns - 1'000'000'000;
    f.last_ns = end_ns;
    f.pkts[0] = 3;
    f.pkts[1] = 2;
    f.bytes[0] = 300;
    f.bytes[1] = 1200;
    f.app_proto = app;
    f.tcp_state = proto == 6 ? flow::TcpState::kClosed : flow::TcpState::kNone;
    r.reason = flow::EndReason::kTcpClosed;
    return r;
}

// A DNS app event as the DNS dissector writes it (keys of dns_observation.hpp).
inline dpi::AppEvent make_dns_event(dpi::AppId app, bool answer, std::string_view name, TimestampNs ts,
                                    const uint8_t* addr4 = nullptr) {
    dpi::AppEvent ev{};
    ev.app = app;
    ev.ts_ns = ts;
    const uint8_t c[4] = {10, 0, 0, 7};
    const uint8_t s[4] = {10, 0, 0, 53};
    ev.key.addr_lo = IpAddr::from_v4(c);
    ev.key.addr_hi = IpAddr::from_v4(s);
    ev.client_is_lo = true;
    dpi::EventWriter w(ev);
    w.u64(kDnsFieldType, answer ? 1 : 0);
    w.u64(1, 0x1234);  // kId: ignored by the store
    w.str(kDnsFieldRrname, name);
    w.u64(kDnsFieldRrtype, 1);
    if (answer && addr4) {
        w.str(kDnsFieldAnName, name);
        w.u64(33, 1);   // kAnType
        w.u64(34, 60);  // kAnTtl
        w.bytes(kDnsFieldAnAddr, addr4, 4);
    }
    return ev;
}

}  // namespace nms::store::test
