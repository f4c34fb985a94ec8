#pragma once
// Builds the PacketViews and flows a DPI test needs without going through the decoder.
#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "decode/packet_view.hpp"
#include "dpi/app_event.hpp"
#include "dpi/dpi_engine.hpp"
#include "flow/flow.hpp"

namespace nms::dpi::test {

// A TCP segment of an established flow 10.0.0.1:40000 -> 10.0.0.2:<port> (or back).
inline decode::PacketView tcp_segment(const std::string& payload, bool to_server, uint32_t seq, TimestampNs ts,
                                      uint16_t server_port = 80) {
    decode::PacketView v;
    v.status = decode::DecodeStatus::kFlow;
    v.ip_proto = decode::kIpProtoTcp;
    v.key.addr_lo = IpAddr::from_v4(0x0a000001u);
    v.key.addr_hi = IpAddr::from_v4(0x0a000002u);
    v.key.port_lo = 40000;
    v.key.port_hi = server_port;
    v.key.proto = decode::kIpProtoTcp;
    v.swapped = !to_server;
    v.tcp_seq = seq;
    v.tcp_flags = decode::kTcpAck | decode::kTcpPsh;
    v.ts_ns = ts;
    v.payload = ByteView(reinterpret_cast<const uint8_t*>(payload.data()), payload.size());
    return v;
}

inline flow::Flow tcp_flow(uint64_t id = 7, uint16_t server_port = 80) {
    flow::Flow f;
    f.flow_id = id;
    f.key = tcp_segment("", true, 0, 0, server_port).key;
    f.client_is_lo = true;
    return f;
}

struct HexSeg {
    const char* hex;
    bool to_server;
};

inline std::string from_hex(const char* h) {
    std::string out;
    auto nib = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    for (size_t i = 0; h[i] && h[i + 1]; i += 2) out.push_back(static_cast<char>(nib(h[i]) * 16 + nib(h[i + 1])));
    return out;
}

struct Seg {
    std::string data;
    bool to_server;
};

inline std::vector<Seg> segs_of(const std::vector<HexSeg>& hex) {
    std::vector<Seg> out;
    for (const auto& h : hex) out.push_back({from_hex(h.hex), h.to_server});
    return out;
}

// What one flow produced: its app_proto name and its events rendered as JSON.
struct FlowResult {
    std::string app;
    std::vector<std::string> events;
    DpiCounters counters;
    rapidjson::Document event(size_t i) const {
        rapidjson::Document d;
        d.Parse(i < events.size() ? events[i].c_str() : "{}");
        return d;
    }
};

// Replays segments (TCP, in order per direction) through a fresh engine, then ends the flow.
inline FlowResult run_flow(const std::vector<Seg>& segs, uint16_t server_port, DpiLimits limits = {}) {
    AppEventRing ring(1024);
    limits.fallback = false;
    limits.max_contexts = 2;  // one flow: keep the per-run pool (and test time) small
    DpiEngine engine(builtin_registry(), 4, limits, &ring, false);
    auto f = tcp_flow(7, server_port);
    uint32_t seq[2] = {1000, 5000};
    TimestampNs ts = 1'000'000;
    for (const auto& s : segs) {
        const int d = s.to_server ? 0 : 1;
        engine.on_packet(tcp_segment(s.data, s.to_server, seq[d], ts, server_port), f, 0);
        seq[d] += static_cast<uint32_t>(s.data.size());
        ts += 1'000'000;
    }
    engine.on_flow_end(f, 0);
    FlowResult r;
    r.app = std::string(builtin_registry().name_of(f.app_proto));
    r.counters = engine.counters();
    AppEvent ev;
    while (ring.pop(ev)) {
        rapidjson::StringBuffer sb;
        JsonWriter w(sb);
        builtin_registry().get(ev.app)->render(ev, w);
        r.events.emplace_back(sb.GetString());
    }
    return r;
}

// Every truncation of every segment (and the flow cut after it) must be handled: no crash, no
// over-read (run under ASan), and every rendered event must be valid JSON.
inline bool survives_truncations(const std::vector<Seg>& segs, uint16_t server_port) {
    for (size_t i = 0; i < segs.size(); ++i) {
        for (size_t cut = 0; cut <= segs[i].data.size(); ++cut) {
            std::vector<Seg> part(segs.begin(), segs.begin() + static_cast<long>(i));
            part.push_back({segs[i].data.substr(0, cut), segs[i].to_server});
            for (const auto& e : run_flow(part, server_port).events) {
                rapidjson::Document d;
                d.Parse(e.c_str());
                if (d.HasParseError()) return false;
            }
        }
    }
    return true;
}

// Flips bytes of each segment (deterministic pattern): hostile lengths and garbage.
inline bool survives_corruption(const std::vector<Seg>& segs, uint16_t server_port) {
    for (size_t i = 0; i < segs.size(); ++i) {
        for (size_t pos = 0; pos < segs[i].data.size(); pos += 3) {
            std::vector<Seg> bad = segs;
            bad[i].data[pos] = static_cast<char>(bad[i].data[pos] ^ 0xff);
            for (const auto& e : run_flow(bad, server_port).events) {
                rapidjson::Document d;
                d.Parse(e.c_str());
                if (d.HasParseError()) return false;
            }
        }
    }
    return true;
}

}  // namespace nms::dpi::test
