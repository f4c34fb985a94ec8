// Proves the capture->worker path allocates nothing per packet: a counting global
// operator new watches the Dispatcher (capture side) and a running Worker (decode, flow
// table, device shard, every shard detector, evidence ring, record hand-off) while 200k
// packets over 20k flows go through; and, with DPI (our dissectors and the nDPI fallback,
// whose own allocations go through its malloc hook to a per-worker arena; what misses it is
// counted) and device tracking, over rounds of new L7 flows after a warm-up round.
#include <catch2/catch.hpp>

#include <atomic>
#include <array>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <new>
#include <thread>

#include "config/config.hpp"
#include "detect/detection_engine.hpp"
#include "dpi/ndpi_arena.hpp"
#include "pipeline/dispatcher.hpp"
#include "pipeline/worker.hpp"

namespace {
std::atomic<uint64_t> g_allocs{0};
}

void* operator new(std::size_t n) {
    g_allocs.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

using namespace nms;

namespace {

std::vector<uint8_t> tcp_frame(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, uint8_t flags) {
    std::vector<uint8_t> f(74, 0);
    f[0] = 2;
    f[6] = 2;
    f[11] = 1;
    f[12] = 0x08;
    uint8_t* ip = f.data() + 14;
    ip[0] = 0x45;
    ip[3] = 60;
    ip[8] = 64;
    ip[9] = 6;
    for (int i = 0; i < 4; ++i) {
        ip[12 + i] = static_cast<uint8_t>(src >> (24 - 8 * i));
        ip[16 + i] = static_cast<uint8_t>(dst >> (24 - 8 * i));
    }
    uint8_t* tcp = ip + 20;
    tcp[0] = static_cast<uint8_t>(sport >> 8);
    tcp[1] = static_cast<uint8_t>(sport);
    tcp[2] = static_cast<uint8_t>(dport >> 8);
    tcp[3] = static_cast<uint8_t>(dport);
    tcp[12] = 0x50;
    tcp[13] = flags;
    return f;
}

}  // namespace

TEST_CASE("capture->worker path performs no heap allocation per packet", "[pipeline][alloc]") {
    pipeline::Doorbell doorbell;
    pipeline::PacketChannel ch(1024, 1 << 20, decode::LinkType::kEthernet, &doorbell);
    std::vector<pipeline::PacketChannel*> chans{&ch};
    std::atomic<bool> stop{false};
    pipeline::Dispatcher dispatcher(chans, decode::LinkType::kEthernet, 2048, true, &stop);
    pipeline::WorkerControl control;
    pipeline::WorkerOptions opts;
    opts.flow_capacity = 1 << 15;
    opts.offline = true;
    opts.record_ring = 1 << 15;  // room for every flow: nobody drains it in this test
    const devices::LocalNets local;
    opts.max_devices = 1024;     // 20000 remote senders: the device shard evicts on the packet path too
    opts.local_nets = &local;
    evidence::EvidenceCollector evidence(1 << 20, 256, 1 << 20);  // every packet goes into its ring too
    opts.evidence = &evidence;
    pipeline::Worker worker(opts, chans, doorbell, control);
    // Detection on, every detector enabled: SYNs from 20000 sources hit the scan and flood tables.
    const config::DetectConfig detect_cfg;
    detect::DetectionEngine detection(detect_cfg, &local, true);
    REQUIRE(detection.detector_count() >= 10);
    worker.set_detectors(detection.make_shard_set(0));
    worker.start();

    // Warm-up round trip: one stats epoch proves the worker loop is running (its thread
    // start-up and the snapshot allocate; that is outside the measured window).
    control.epoch.store(1);
    worker.wake();
    pipeline::ShardSnapshot* snap = nullptr;
    while (!worker.snapshots().pop(snap)) std::this_thread::yield();
    delete snap;

    std::vector<std::vector<uint8_t>> frames;
    for (uint32_t i = 0; i < 20000; ++i)
        frames.push_back(tcp_frame(0xc6120000u + i, 0xc6130001u, static_cast<uint16_t>(10000 + i % 50000), 443,
                                   i % 2 ? 0x10 : 0x02));

    const uint64_t before = g_allocs.load();
    for (int round = 0; round < 10; ++round) {
        for (const auto& f : frames) {
            const auto n = static_cast<uint32_t>(f.size());
            dispatcher.on_frame(capture::RawFrame{f.data(), n, n, uint64_t(round) * 1000 + 1});
        }
        dispatcher.end_batch();
    }
    // Refs leave the ring before processing: wait for the bytes to come back instead,
    // which the worker does only after the whole batch went through the flow table.
    while (ch.bytes_in_flight() != 0) std::this_thread::yield();
    const uint64_t during = g_allocs.load() - before;

    control.inputs_done.store(true);
    worker.wake();
    worker.join();
    CHECK(during == 0);
    pipeline::FlowRecord rec;
    uint64_t records = 0;
    while (worker.records().pop(rec)) ++records;
    CHECK(records == 20000);  // every flow reached the output ring at shutdown
    CHECK(evidence.ring().appended() == 200000);
}

namespace {

// Ethernet + IPv4 + TCP (20-byte header, flags PSH|ACK) or UDP, with `payload`.
std::vector<uint8_t> l7_frame(uint8_t src_mac_tail, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                              bool tcp, std::string_view payload) {
    const size_t l4 = tcp ? 20 : 8;
    std::vector<uint8_t> f(14 + 20 + l4 + payload.size(), 0);
    f[0] = 2;
    f[5] = 1;
    f[6] = 2;
    f[11] = src_mac_tail;
    f[12] = 0x08;
    uint8_t* ip = f.data() + 14;
    ip[0] = 0x45;
    const auto tot = static_cast<uint16_t>(20 + l4 + payload.size());
    ip[2] = static_cast<uint8_t>(tot >> 8);
    ip[3] = static_cast<uint8_t>(tot);
    ip[8] = 64;
    ip[9] = tcp ? 6 : 17;
    for (int i = 0; i < 4; ++i) {
        ip[12 + i] = static_cast<uint8_t>(src >> (24 - 8 * i));
        ip[16 + i] = static_cast<uint8_t>(dst >> (24 - 8 * i));
    }
    uint8_t* l4p = ip + 20;
    l4p[0] = static_cast<uint8_t>(sport >> 8);
    l4p[1] = static_cast<uint8_t>(sport);
    l4p[2] = static_cast<uint8_t>(dport >> 8);
    l4p[3] = static_cast<uint8_t>(dport);
    if (tcp) {
        l4p[7] = 1;  // seq 1
        l4p[12] = 0x50;
        l4p[13] = 0x18;
    } else {
        l4p[4] = static_cast<uint8_t>((8 + payload.size()) >> 8);
        l4p[5] = static_cast<uint8_t>(8 + payload.size());
    }
    std::memcpy(l4p + l4, payload.data(), payload.size());
    return f;
}

// A DNS query for <label>.example.com, written into `buf` (no std::string: this file
// replaces operator new/delete).
std::string_view dns_query(uint16_t id, std::string_view label, std::array<char, 96>& buf) {
    size_t n = 0;
    buf[n++] = static_cast<char>(id >> 8);
    buf[n++] = static_cast<char>(id);
    static constexpr char kHeader[] = "\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00";
    std::memcpy(buf.data() + n, kHeader, 10);
    n += 10;
    buf[n++] = static_cast<char>(label.size());
    std::memcpy(buf.data() + n, label.data(), label.size());
    n += label.size();
    static constexpr char kTail[] = "\x07" "example" "\x03" "com" "\x00" "\x00\x01\x00\x01";
    std::memcpy(buf.data() + n, kTail, 17);
    n += 17;
    return {buf.data(), n};
}

}  // namespace

TEST_CASE("worker with DPI, nDPI fallback and devices allocates nothing in steady state", "[pipeline][alloc][dpi]") {
    pipeline::Doorbell doorbell;
    pipeline::PacketChannel ch(1024, 1 << 20, decode::LinkType::kEthernet, &doorbell);
    std::vector<pipeline::PacketChannel*> chans{&ch};
    std::atomic<bool> stop{false};
    pipeline::Dispatcher dispatcher(chans, decode::LinkType::kEthernet, 2048, true, &stop);
    pipeline::WorkerControl control;
    pipeline::WorkerOptions opts;
    opts.flow_capacity = 1 << 15;
    opts.offline = false;        // nobody drains the event ring here: full = counted drop, not a wait
    opts.record_ring = 1 << 15;
    opts.dpi.max_contexts = 1024;
    opts.dpi.fallback = true;
    opts.dpi.fallback_flows = 256;
    const devices::LocalNets local;  // defaults: 10/8 is local (devices per MAC), 198.51.100/24 is not
    opts.max_devices = 256;          // fewer than the senders: the shard evicts on the packet path
    opts.local_nets = &local;
    pipeline::Worker worker(opts, chans, doorbell, control);
    worker.start();
    control.epoch.store(1);
    worker.wake();
    pipeline::ShardSnapshot* snap = nullptr;
    while (!worker.snapshots().pop(snap)) std::this_thread::yield();
    delete snap;

    // One round = 2000 new flows of each kind; every round uses new ports, so every flow is
    // classified from scratch: our dissectors (DNS, HTTP with device facts), the nDPI
    // fallback (payload none of ours claims) and remote senders that become IP devices.
    auto make_round = [](uint32_t round) {
        std::vector<std::vector<uint8_t>> frames;
        for (uint32_t i = 0; i < 2000; ++i) {
            const auto port = static_cast<uint16_t>(1024 + round * 2000 + i);
            const uint32_t host = 0x0a000100u + (i % 200);  // 10.0.1.x: local devices by MAC
            const auto mac = static_cast<uint8_t>(i % 200);
            std::array<char, 96> q{};
            frames.push_back(l7_frame(mac, host, 0x0a000001u, port, 53, false, dns_query(static_cast<uint16_t>(i), "host", q)));
            frames.push_back(l7_frame(mac, host, 0xc6336401u, port, 80, true,
                                      "GET /index.html HTTP/1.1\r\nHost: www.example.com\r\n"
                                      "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Firefox/115.0\r\n\r\n"));
            frames.push_back(l7_frame(mac, host, 0xc6336402u, port, 7777, true,
                                      std::string_view("\x13" "BitTorrent protocol" "\x00\x00\x00\x00\x00\x10\x00\x05", 28)));
            frames.push_back(l7_frame(1, 0xc6336500u + i, host, 40000, port, false, "zq\x01\x02 not a protocol"));
        }
        return frames;
    };
    auto play = [&](const std::vector<std::vector<uint8_t>>& frames, uint64_t ts) {
        for (const auto& f : frames) {
            const auto n = static_cast<uint32_t>(f.size());
            dispatcher.on_frame(capture::RawFrame{f.data(), n, n, ts});
        }
        dispatcher.end_batch();
        while (ch.bytes_in_flight() != 0) std::this_thread::yield();
    };
    // Warm-up: first-use thread-local contexts (crypto), nDPI's lazily built tables.
    play(make_round(0), 1000);
    std::vector<std::vector<std::vector<uint8_t>>> rounds;
    for (uint32_t r = 1; r < 6; ++r) rounds.push_back(make_round(r));
    const uint64_t before = g_allocs.load(), ndpi_before = dpi::ndpi_heap_allocations(),
                   arena_before = dpi::ndpi_arena_allocations();
    for (size_t r = 0; r < rounds.size(); ++r) play(rounds[r], 2000 + r * 1000);
    const uint64_t during = g_allocs.load() - before, ndpi_during = dpi::ndpi_heap_allocations() - ndpi_before,
                   arena_during = dpi::ndpi_arena_allocations() - arena_before;

    control.inputs_done.store(true);
    worker.wake();
    worker.join();
    CHECK(during == 0);
    CHECK(ndpi_during == 0);
    CHECK(arena_during > 0);  // nDPI did allocate inside its flows: the arena served it
}
