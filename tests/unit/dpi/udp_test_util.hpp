#pragma once
// Drives one datagram/segment sequence through a DpiEngine and returns the rendered events
// (JSON bodies of the "<app>" key) for the UDP-family dissector tests.
#include <rapidjson/document.h>

#include <string>
#include <string_view>
#include <vector>

#include "dpi/dpi_engine.hpp"
#include "dpi_test_util.hpp"

namespace nms::dpi::test {

// Bytes of a string literal, embedded NULs included (no hand-counted lengths).
template <size_t N>
inline std::string lit(const char (&s)[N]) {
    return std::string(s, N - 1);
}

inline decode::PacketView udp_datagram(std::string_view payload, bool to_server, TimestampNs ts,
                                       uint16_t server_port, uint16_t client_port = 40000) {
    decode::PacketView v;
    v.status = decode::DecodeStatus::kFlow;
    v.ip_proto = decode::kIpProtoUdp;
    v.key.addr_lo = IpAddr::from_v4(0x0a000001u);
    v.key.addr_hi = IpAddr::from_v4(0x0a000002u);
    v.key.port_lo = client_port;
    v.key.port_hi = server_port;
    v.key.proto = decode::kIpProtoUdp;
    v.swapped = !to_server;
    v.ts_ns = ts;
    v.payload = ByteView(reinterpret_cast<const uint8_t*>(payload.data()), payload.size());
    return v;
}

inline flow::Flow udp_flow(uint16_t server_port, uint16_t client_port = 40000, uint64_t id = 9) {
    flow::Flow f;
    f.flow_id = id;
    f.key = udp_datagram("", true, 0, server_port, client_port).key;
    f.client_is_lo = true;
    return f;
}

inline std::string render_event(const AppEvent& ev) {
    rapidjson::StringBuffer sb;
    JsonWriter w(sb);
    builtin_registry().get(ev.app)->render(ev, w);
    return sb.GetString();
}

struct Run {
    std::string app;                  // flow app_proto name after the packets
    std::vector<std::string> events;  // rendered bodies
};

struct Packet {
    std::string_view payload;
    bool to_server = true;
    TimestampNs ts = 0;
    uint32_t seq = 0;  // TCP only
};

// Runs packets through a fresh engine on one flow (UDP, or TCP when tcp=true) and renders
// every event; each body must be valid JSON.
inline Run run_flow(const std::vector<Packet>& pkts, uint16_t server_port, bool tcp = false,
                    uint16_t client_port = 40000) {
    AppEventRing ring(256);
    DpiEngine engine(builtin_registry(), 4, {}, &ring, false);
    flow::Flow f = tcp ? tcp_flow(7, server_port) : udp_flow(server_port, client_port);
    for (const Packet& p : pkts) {
        if (tcp) {
            const std::string s(p.payload);
            engine.on_packet(tcp_segment(s, p.to_server, p.seq, p.ts, server_port), f, 0);
        } else {
            engine.on_packet(udp_datagram(p.payload, p.to_server, p.ts, server_port, client_port), f, 0);
        }
    }
    flow::Flow end = f;
    engine.on_flow_end(end, 0);
    Run r;
    r.app = std::string(builtin_registry().name_of(end.app_proto));
    AppEvent ev;
    while (ring.pop(ev)) r.events.push_back(render_event(ev));
    return r;
}

inline rapidjson::Document parse_json(const std::string& s) {
    rapidjson::Document d;
    d.Parse(s.c_str());
    return d;
}

}  // namespace nms::dpi::test
