// Fuzz target for every DPI dissector: arbitrary bytes become the payloads of one TCP or UDP
// flow, both directions, through a DpiEngine (classification, inspection, flow end) and
// every event it writes is rendered to JSON and must parse back.
//
// Input: [n][n bytes: dissector name][port slot][flags] then segments of
//        [2 bytes BE: bit 15 = to client, bits 0..14 = length][bytes].
//  - name = a registered dissector ("dns", "tls", ...); the flow goes to its port number
//    `port slot` (mod the ports it lists). An empty name, or a slot past its ports, is the
//    port-less path: server port 45678, every dissector probes the payload.
//  - flags bit 0: UDP (else TCP; ignored when the dissector runs on one transport only).
// Each segment is copied into a buffer of exactly its size, so ASan sees any over-read.
//
// Built two ways (tests/fuzz/CMakeLists.txt): with clang and NMS_FUZZ=ON as a libFuzzer
// target (-fsanitize=fuzzer,address,undefined), and always as fuzz_dpi_replay, which runs
// the inputs in the files/directories named on its command line (the seed corpus, from
// tests/fuzz/make_dpi_seeds.py, in CTest).
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>

#include "dpi/dpi_engine.hpp"
#include "dpi/registry.hpp"
#include "flow/flow.hpp"

namespace {

using namespace nms;

constexpr uint16_t kPortless = 45678;
constexpr size_t kMaxSegments = 24;

struct Target {
    uint16_t server_port = kPortless;
    bool tcp = true;
};

Target pick(std::string_view name, uint8_t slot, uint8_t flags) {
    const dpi::Registry& reg = dpi::builtin_registry();
    Target t;
    t.tcp = !(flags & 1);
    const dpi::AppId id = name.empty() ? dpi::kAppUnknown : reg.id_of(name);
    const dpi::Dissector* d = reg.get(id);
    if (!d) return t;
    const auto& info = d->info();
    if (info.l4 == dpi::kTcp) t.tcp = true;
    if (info.l4 == dpi::kUdp) t.tcp = false;
    size_t n = 0;
    while (n < info.ports.size() && info.ports[n]) ++n;
    if (n && slot < 2 * n) t.server_port = info.ports[slot % n];  // slots past 2n: port-less
    return t;
}

decode::PacketView packet(const Target& t, bool to_server, const uint8_t* p, size_t n, uint32_t seq, uint64_t ts) {
    decode::PacketView v;
    v.status = decode::DecodeStatus::kFlow;
    v.ip_proto = t.tcp ? decode::kIpProtoTcp : decode::kIpProtoUdp;
    v.key.addr_lo = IpAddr::from_v4(0x0a000001u);
    v.key.addr_hi = IpAddr::from_v4(0x0a000002u);
    v.key.port_lo = 40000;
    v.key.port_hi = t.server_port;
    v.key.proto = v.ip_proto;
    v.swapped = !to_server;
    v.tcp_seq = seq;
    v.tcp_flags = t.tcp ? decode::kTcpAck | decode::kTcpPsh : 0;
    v.ts_ns = ts;
    v.payload = ByteView(p, n);
    return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static dpi::AppEventRing ring(1024);
    static dpi::DpiEngine engine = [] {
        dpi::DpiLimits limits;
        limits.fallback = false;  // nDPI is not ours to fuzz; our dissectors are
        limits.max_contexts = 2;
        return dpi::DpiEngine(dpi::builtin_registry(), 4, limits, &ring, false);
    }();
    static uint64_t flow_id = 0;
    if (size < 3) return 0;
    const size_t name_len = std::min<size_t>(data[0] % 16, size - 1);
    const std::string_view name(reinterpret_cast<const char*>(data + 1), name_len);
    size_t off = 1 + name_len;
    if (off + 2 > size) return 0;
    const Target t = pick(name, data[off], data[off + 1]);
    off += 2;

    flow::Flow f;
    f.flow_id = ++flow_id;
    f.key = packet(t, true, nullptr, 0, 0, 0).key;
    f.client_is_lo = true;
    uint32_t seq[2] = {1000, 900000};
    uint64_t ts = 1'000'000'000;
    for (size_t s = 0; s < kMaxSegments && off + 2 <= size; ++s) {
        const uint16_t h = static_cast<uint16_t>(data[off] << 8 | data[off + 1]);
        off += 2;
        const bool to_server = !(h & 0x8000);
        const size_t n = std::min<size_t>(h & 0x7fff, size - off);
        auto buf = std::make_unique<uint8_t[]>(n ? n : 1);
        if (n) std::memcpy(buf.get(), data + off, n);
        off += n;
        engine.on_packet(packet(t, to_server, n ? buf.get() : nullptr, n, seq[to_server ? 0 : 1], ts), f, 0);
        seq[to_server ? 0 : 1] += static_cast<uint32_t>(n);
        ts += 1'000'000;
    }
    engine.on_flow_end(f, 0);

    dpi::AppEvent ev;
    while (ring.pop(ev)) {
        const dpi::Dissector* d = dpi::builtin_registry().get(ev.app);
        if (!d) std::abort();  // an event must name a dissector
        rapidjson::StringBuffer sb;
        dpi::JsonWriter w(sb);
        d->render(ev, w);
        rapidjson::Document doc;
        doc.Parse(sb.GetString());
        if (doc.HasParseError()) std::abort();  // rendered events are valid JSON
    }
    return 0;
}
