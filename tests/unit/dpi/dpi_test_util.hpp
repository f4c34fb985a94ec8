#pragma once
// Builds the PacketViews and flows a DPI test needs without going through the decoder.
#include <string>
#include <vector>

#include "decode/packet_view.hpp"
#include "dpi/app_event.hpp"
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

}  // namespace nms::dpi::test
