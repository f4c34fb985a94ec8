// bench_flow_memory: what one tracked flow costs in memory, measured rather than computed.
// Builds one FlowTable sized for N flows (default 2^20), inserts N distinct synthetic UDP and
// TCP flows through FlowTable::process (the worker's own entry point), and reads VmRSS from
// /proc/self/status before construction, after construction and after the inserts.
//
//   bench_flow_memory [--flows N] [--capacity C]
//
// Prints {flows, capacity, rss_before_bytes, rss_after_construct_bytes, rss_after_insert_bytes,
// rss_delta_bytes, bytes_per_flow, table_memory_bytes, table_bytes_per_slot, sizeof_flow,
// sizeof_flow_key, insert_ns_per_flow, lookup_ns_per_packet}. The flows are spread over the
// benchmarking range 198.18.0.0/15 so the hash sees realistic keys.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "decode/flow_key.hpp"
#include "decode/packet_view.hpp"
#include "flow/flow.hpp"
#include "flow/flow_table.hpp"
#include "pcap_walk.hpp"

namespace {

class CountingSink final : public nms::flow::FlowEndSink {
 public:
    void on_flow_end(const nms::flow::Flow&, nms::flow::EndReason) override { ++ended; }
    uint64_t ended = 0;
};

// VmRSS in bytes, or 0 when /proc is unavailable.
uint64_t vm_rss_bytes() {
    FILE* f = std::fopen("/proc/self/status", "r");
    if (!f) return 0;
    char line[256];
    uint64_t kb = 0;
    while (std::fgets(line, sizeof line, f)) {
        if (std::strncmp(line, "VmRSS:", 6) == 0) {
            kb = std::strtoull(line + 6, nullptr, 10);
            break;
        }
    }
    std::fclose(f);
    return kb * 1024;
}

// Flow i: 198.18.0.0/15 client -> server, ports from i; canonical key as decode builds it.
nms::decode::PacketView make_packet(uint32_t i, uint64_t ts_ns, bool reply) {
    nms::decode::PacketView p;
    const uint32_t client = (198u << 24) | (18u << 16) | (i & 0x1ffffu);
    const uint32_t server = (198u << 24) | (18u << 16) | ((i * 2654435761u >> 7) & 0x1ffffu);
    const uint16_t cport = static_cast<uint16_t>(1024 + (i >> 17) * 7 + (i & 0x3f));
    const uint16_t sport = static_cast<uint16_t>(i % 3 == 0 ? 443 : 5000 + (i >> 11));
    const bool tcp = i % 5 < 3;
    nms::IpAddr ca = nms::IpAddr::from_v4(client);
    nms::IpAddr sa = nms::IpAddr::from_v4(server);
    uint16_t src_port = cport;
    uint16_t dst_port = sport;
    if (reply) {
        std::swap(ca, sa);
        std::swap(src_port, dst_port);
    }
    p.status = nms::decode::DecodeStatus::kFlow;
    p.l3 = nms::decode::L3::kIpv4;
    p.src_ip = ca;
    p.dst_ip = sa;
    p.src_port = src_port;
    p.dst_port = dst_port;
    p.ip_proto = tcp ? nms::decode::kIpProtoTcp : nms::decode::kIpProtoUdp;
    p.tcp_flags = tcp ? (reply ? nms::decode::kTcpAck : nms::decode::kTcpSyn) : 0;
    p.wirelen = 60;
    p.caplen = 60;
    p.ts_ns = ts_ns;
    const bool src_lo = std::make_pair(p.src_ip, p.src_port) <= std::make_pair(p.dst_ip, p.dst_port);
    p.key.addr_lo = src_lo ? p.src_ip : p.dst_ip;
    p.key.addr_hi = src_lo ? p.dst_ip : p.src_ip;
    p.key.port_lo = src_lo ? p.src_port : p.dst_port;
    p.key.port_hi = src_lo ? p.dst_port : p.src_port;
    p.key.proto = p.ip_proto;
    p.swapped = !src_lo;
    return p;
}

}  // namespace

int main(int argc, char** argv) {
    uint32_t flows = 1'000'000;
    uint32_t capacity = 1u << 20;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--flows" && i + 1 < argc) flows = static_cast<uint32_t>(std::strtoul(argv[++i], nullptr, 10));
        else if (a == "--capacity" && i + 1 < argc) capacity = static_cast<uint32_t>(std::strtoul(argv[++i], nullptr, 10));
        else {
            std::fprintf(stderr, "usage: bench_flow_memory [--flows N] [--capacity C]\n");
            return 2;
        }
    }
    if (flows == 0 || flows > capacity) {
        std::fprintf(stderr, "bench_flow_memory: need 0 < --flows <= --capacity\n");
        return 2;
    }
    // Keys must be distinct for the figure to mean "N flows": the generator packs i into
    // the client address (17 bits) and port, which stays unique well past 2^20.

    const uint64_t rss_before = vm_rss_bytes();
    auto table = std::make_unique<nms::flow::FlowTable>(capacity, nms::flow::FlowTimeouts{}, 1, 1);
    const uint64_t rss_constructed = vm_rss_bytes();

    CountingSink sink;
    const uint64_t ts0 = 1'700'000'000ull * nms::kNsPerSec;
    const double t0 = nms::bench::bench_now_s();
    for (uint32_t i = 0; i < flows; ++i) {
        const auto pkt = make_packet(i, ts0 + i * 100ull, false);
        table->process(pkt, sink);
    }
    const double t1 = nms::bench::bench_now_s();
    const uint64_t rss_inserted = vm_rss_bytes();

    // Second pass: every flow looked up again from the other side (the common case per packet).
    for (uint32_t i = 0; i < flows; ++i) {
        const auto pkt = make_packet(i, ts0 + (flows + i) * 100ull, true);
        table->process(pkt, sink);
    }
    const double t2 = nms::bench::bench_now_s();

    const uint32_t live = table->size();
    const size_t table_bytes = table->memory_bytes();
    const uint64_t created = table->counters().created;
    const uint64_t delta = rss_inserted - rss_before;
    std::printf("{\"flows\": %u, \"capacity\": %u, \"live_flows\": %u, \"created\": %" PRIu64 ", \"ended\": %" PRIu64
                ", \"rss_before_bytes\": %" PRIu64 ", \"rss_after_construct_bytes\": %" PRIu64
                ", \"rss_after_insert_bytes\": %" PRIu64 ", \"rss_delta_bytes\": %" PRIu64
                ", \"bytes_per_flow\": %.1f, \"table_memory_bytes\": %zu, \"table_bytes_per_slot\": %.1f"
                ", \"index_slots\": %u, \"sizeof_flow\": %zu, \"sizeof_flow_key\": %zu"
                ", \"insert_ns_per_flow\": %.1f, \"lookup_ns_per_packet\": %.1f}\n",
                flows, capacity, live, created, sink.ended, rss_before, rss_constructed, rss_inserted, delta,
                static_cast<double>(delta) / flows, table_bytes, static_cast<double>(table_bytes) / capacity,
                table->index_slots(), sizeof(nms::flow::Flow), sizeof(nms::decode::FlowKey),
                (t1 - t0) * 1e9 / flows, (t2 - t1) * 1e9 / flows);
    return live == flows && created == flows ? 0 : 3;
}
