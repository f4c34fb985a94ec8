#include <catch2/catch.hpp>

#include <map>
#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "decode/decode.hpp"
#include "pipeline/dispatcher.hpp"

using namespace nms;
using pipeline::Dispatcher;
using pipeline::PacketChannel;
using pipeline::PacketRef;

namespace {

// Ethernet + IPv4 + UDP frame from a to b.
std::vector<uint8_t> udp_frame(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport) {
    std::vector<uint8_t> f(60, 0);
    const uint8_t mac_a[6] = {2, 0, 0, 0, 0, 1}, mac_b[6] = {2, 0, 0, 0, 0, 2};
    std::memcpy(f.data(), mac_b, 6);
    std::memcpy(f.data() + 6, mac_a, 6);
    f[12] = 0x08;
    uint8_t* ip = f.data() + 14;
    ip[0] = 0x45;
    ip[3] = 28 + 4;  // total length: 20 IP + 8 UDP + 4 payload
    ip[8] = 64;
    ip[9] = 17;
    for (int i = 0; i < 4; ++i) {
        ip[12 + i] = static_cast<uint8_t>(src >> (24 - 8 * i));
        ip[16 + i] = static_cast<uint8_t>(dst >> (24 - 8 * i));
    }
    uint8_t* udp = ip + 20;
    udp[0] = static_cast<uint8_t>(sport >> 8);
    udp[1] = static_cast<uint8_t>(sport);
    udp[2] = static_cast<uint8_t>(dport >> 8);
    udp[3] = static_cast<uint8_t>(dport);
    udp[5] = 12;
    return f;
}

// Pops everything queued on ch, calling f(ref, bytes) for each; returns the count.
template <class F>
size_t drain(PacketChannel& ch, F&& f) {
    PacketRef refs[64];
    size_t total = 0;
    for (size_t n; (n = ch.pop(refs, 64)) > 0; total += n) {
        for (size_t i = 0; i < n; ++i) f(refs[i], ch.bytes(refs[i].offset));
        ch.release(refs[n - 1]);
    }
    return total;
}

struct Rig {
    std::vector<std::unique_ptr<PacketChannel>> owned;
    std::vector<PacketChannel*> chans;
    Rig(size_t workers, uint32_t cap) {
        for (size_t i = 0; i < workers; ++i) {
            owned.push_back(std::make_unique<PacketChannel>(cap, 1 << 20, decode::LinkType::kEthernet));
            chans.push_back(owned.back().get());
        }
    }
};

void send(Dispatcher& d, const std::vector<uint8_t>& f, uint64_t ts) {
    d.on_frame(capture::RawFrame{f.data(), static_cast<uint32_t>(f.size()), static_cast<uint32_t>(f.size()), ts});
}

}  // namespace

TEST_CASE("Dispatcher sends both directions of a conversation to one worker", "[pipeline]") {
    Rig rig(4, 1024);
    Dispatcher d(rig.chans, decode::LinkType::kEthernet, 2048, false, nullptr);
    for (uint32_t i = 0; i < 200; ++i) {
        const uint32_t a = 0xc6120000u + i, b = 0xc6130000u + i * 7;
        send(d, udp_frame(a, b, static_cast<uint16_t>(1000 + i), 53), i);
        send(d, udp_frame(b, a, 53, static_cast<uint16_t>(1000 + i)), i);
    }
    d.end_batch();
    std::set<size_t> used;
    std::map<uint64_t, std::set<size_t>> workers_of_pair;
    for (size_t w = 0; w < rig.chans.size(); ++w) {
        drain(*rig.chans[w], [&](const PacketRef& r, const uint8_t* bytes) {
            decode::PacketView v;
            decode::decode_packet(decode::LinkType::kEthernet, bytes, r.caplen, r.wirelen, r.ts_ns, v);
            REQUIRE(v.status == decode::DecodeStatus::kFlow);
            workers_of_pair[decode::flow_hash(v.key)].insert(w);
            used.insert(w);
        });
    }
    CHECK(workers_of_pair.size() == 200);
    for (const auto& [k, ws] : workers_of_pair) CHECK(ws.size() == 1);
    CHECK(used.size() == 4);  // 200 pairs spread over every worker
}

TEST_CASE("Dispatcher counts a full ring as a drop for that worker and never waits", "[pipeline]") {
    Rig rig(1, 8);
    Dispatcher d(rig.chans, decode::LinkType::kEthernet, 2048, false, nullptr);
    const auto f = udp_frame(0x0a000001, 0x0a000002, 1, 2);
    for (int i = 0; i < 20; ++i) send(d, f, static_cast<uint64_t>(i));
    d.end_batch();
    CHECK(d.counters().frames.get() == 20);
    CHECK(d.counters().ring_full_drops[0].get() == 12);
    size_t got = drain(*rig.chans[0], [](const PacketRef&, const uint8_t*) {});
    CHECK(got == 8);
}

TEST_CASE("Dispatcher in replay mode waits for room instead of dropping", "[pipeline]") {
    Rig rig(1, 8);
    std::atomic<bool> stop{false};
    Dispatcher d(rig.chans, decode::LinkType::kEthernet, 2048, true, &stop);
    std::atomic<uint64_t> consumed{0};
    std::atomic<bool> done{false};
    std::thread consumer([&] {
        while (!done.load() || !rig.chans[0]->empty())
            consumed += drain(*rig.chans[0], [](const PacketRef&, const uint8_t*) {});
    });
    const auto f = udp_frame(0x0a000001, 0x0a000002, 1, 2);
    for (int i = 0; i < 5000; ++i) send(d, f, static_cast<uint64_t>(i));
    d.end_batch();
    done = true;
    consumer.join();
    CHECK(consumed.load() == 5000);
    CHECK(d.counters().ring_full_drops[0].get() == 0);
}

TEST_CASE("Dispatcher restores a VLAN tag the kernel moved into metadata", "[pipeline]") {
    Rig rig(1, 8);
    Dispatcher d(rig.chans, decode::LinkType::kEthernet, 2048, false, nullptr);
    const auto f = udp_frame(0x0a000001, 0x0a000002, 1, 2);
    capture::RawFrame raw{f.data(), static_cast<uint32_t>(f.size()), static_cast<uint32_t>(f.size()), 1};
    raw.vlan_tci = 0x2064;  // PCP 1, VID 100
    raw.vlan_valid = true;
    d.on_frame(raw);
    d.end_batch();
    drain(*rig.chans[0], [&](const PacketRef& r, const uint8_t* bytes) {
        CHECK(r.caplen == f.size() + 4);
        CHECK(r.wirelen == f.size() + 4);
        decode::PacketView v;
        decode::decode_packet(decode::LinkType::kEthernet, bytes, r.caplen, r.wirelen, r.ts_ns, v);
        CHECK(v.status == decode::DecodeStatus::kFlow);
        CHECK(v.vlan_count == 1);
        CHECK(v.vlan_ids[0] == 100);
        CHECK(v.key.vlan == 100);
    });
}
