// live_capture_probe: K AfPacketSource members of one fanout group on one interface, one
// thread each. Counts frames per member and, per flow (own Ethernet/VLAN/IPv4/TCP/UDP parse,
// direction-free key), which members saw it. Writes a ready file once the group formed, exits
// after N matching frames (plus a short linger to catch extras) or a timeout, prints JSON.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "capture/afpacket_source.hpp"
#include "common/bytes.hpp"

namespace {

using nms::capture::AfPacketOptions;
using nms::capture::AfPacketSource;
using nms::capture::FanoutSync;
using nms::capture::RawFrame;

struct Args {
    std::string iface;
    uint32_t members = 2;
    uint64_t expect = 0;
    int timeout_ms = 20000;
    int linger_ms = 300;
    std::string ready_file;
    uint16_t group = 0;
    uint32_t block_count = 16;
};

// Direction-free 5-tuple: lower (ip, port) endpoint first.
using FlowKey = std::tuple<uint32_t, uint16_t, uint32_t, uint16_t, uint8_t>;

class ProbeSink final : public nms::capture::FrameSink {
 public:
    void on_frame(const RawFrame& f) noexcept override {
        ++frames;
        if (f.vlan_valid) {
            ++vlan_frames;
            vlan_ids[f.vlan_tci & 0x0fff]++;
        }
        if (f.wirelen != f.caplen) ++wirelen_mismatch;   // tp_len excludes a stripped tag, like tp_snaplen
        const nms::ByteView v(f.data, f.caplen);
        size_t off = 12;
        if (!v.has(off, 2)) return count_other();
        uint16_t type = v.be16(off);
        while (type == 0x8100 || type == 0x88a8) {   // tags the kernel did not strip
            off += 4;
            if (!v.has(off, 2)) return count_other();
            type = v.be16(off);
        }
        off += 2;
        if (type != 0x0800 || !v.has(off, 20)) return count_other();
        const size_t ihl = static_cast<size_t>(v.u8(off) & 0x0f) * 4;
        const uint8_t proto = v.u8(off + 9);
        const uint32_t src = v.be32(off + 12);
        const uint32_t dst = v.be32(off + 16);
        if ((src >> 24) != 10 || (dst >> 24) != 10 || (proto != 6 && proto != 17)) return count_other();
        if (ihl < 20 || !v.has(off + ihl, 4)) return count_other();
        const uint16_t sport = v.be16(off + ihl);
        const uint16_t dport = v.be16(off + ihl + 2);
        FlowKey key = std::make_tuple(src, sport, dst, dport, proto);
        if (std::make_pair(dst, dport) < std::make_pair(src, sport)) key = std::make_tuple(dst, dport, src, sport, proto);
        flows[key]++;
        ++matched;
    }
    void end_batch() noexcept override { ++batches; }
    void count_other() noexcept { ++other; }

    uint64_t frames = 0, matched = 0, other = 0, batches = 0, vlan_frames = 0, wirelen_mismatch = 0;
    std::map<FlowKey, uint64_t> flows;
    std::map<uint16_t, uint64_t> vlan_ids;
};

struct Member {
    std::unique_ptr<AfPacketSource> source;
    ProbeSink sink;
    std::string error;
};

bool parse_args(int argc, char** argv, Args& a) {
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        const char* v = argv[i + 1];
        if (k == "--iface") a.iface = v;
        else if (k == "--members") a.members = static_cast<uint32_t>(std::strtoul(v, nullptr, 10));
        else if (k == "--expect") a.expect = std::strtoull(v, nullptr, 10);
        else if (k == "--timeout-ms") a.timeout_ms = std::atoi(v);
        else if (k == "--linger-ms") a.linger_ms = std::atoi(v);
        else if (k == "--ready-file") a.ready_file = v;
        else if (k == "--group") a.group = static_cast<uint16_t>(std::strtoul(v, nullptr, 10));
        else if (k == "--block-count") a.block_count = static_cast<uint32_t>(std::strtoul(v, nullptr, 10));
        else return false;
    }
    return !a.iface.empty() && a.members > 0 && a.expect > 0;
}

}  // namespace

int main(int argc, char** argv) {
    Args args;
    if (!parse_args(argc, argv, args)) {
        std::fprintf(stderr,
                     "usage: live_capture_probe --iface IF --expect N [--members K] [--timeout-ms T] "
                     "[--linger-ms L] [--ready-file F] [--group G] [--block-count B]\n");
        return 2;
    }
    if (args.group == 0) args.group = static_cast<uint16_t>(0x1000 + (getpid() & 0x7fff));
    auto sync = std::make_shared<FanoutSync>(args.members);
    std::vector<Member> members(args.members);
    std::atomic<uint32_t> opened{0};
    std::atomic<uint32_t> failed{0};
    std::atomic<uint64_t> matched_total{0};
    std::atomic<bool> stop{false};

    std::vector<std::thread> threads;
    for (uint32_t i = 0; i < args.members; ++i) {
        threads.emplace_back([&, i] {
            Member& m = members[i];
            AfPacketOptions o;
            o.interface = args.iface;
            o.block_size = 1u << 20;
            o.block_count = args.block_count;
            o.block_timeout_ms = 10;
            o.promiscuous = true;
            o.fanout = true;
            o.fanout_group = args.group;
            o.fanout_defrag = true;
            o.sync = sync;
            m.source = AfPacketSource::open(o, m.error);
            (m.source ? opened : failed).fetch_add(1);
            if (!m.source) return;
            while (!stop.load(std::memory_order_relaxed)) {
                const uint64_t before = m.sink.matched;
                m.source->poll(m.sink, 20);
                if (m.sink.matched != before) matched_total.fetch_add(m.sink.matched - before);
            }
            m.source->refresh_stats();
        });
    }

    const auto start = std::chrono::steady_clock::now();
    auto elapsed_ms = [&] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start)
            .count();
    };
    while (opened.load() + failed.load() < args.members && elapsed_ms() < args.timeout_ms) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    bool ok = failed.load() == 0 && opened.load() == args.members && sync->formed_at_ns() != 0;
    if (ok && !args.ready_file.empty()) {
        const std::string tmp = args.ready_file + ".tmp";
        if (FILE* f = std::fopen(tmp.c_str(), "w")) {
            std::fprintf(f, "ready %u members group %u\n", args.members, args.group);
            std::fclose(f);
            std::rename(tmp.c_str(), args.ready_file.c_str());
        }
    }
    bool timed_out = false;
    if (ok) {
        while (matched_total.load() < args.expect) {
            if (elapsed_ms() >= args.timeout_ms) {
                timed_out = true;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        // Linger so that duplicates or stray frames would show up in the totals.
        std::this_thread::sleep_for(std::chrono::milliseconds(args.linger_ms));
    }
    stop = true;
    for (auto& t : threads) t.join();

    if (!ok) {
        for (const auto& m : members) {
            if (!m.error.empty()) std::fprintf(stderr, "live_capture_probe: %s\n", m.error.c_str());
        }
        std::printf("{\"error\":\"members failed to open\"}\n");
        return 2;
    }

    // Merge: which members saw each flow.
    std::map<FlowKey, uint32_t> seen_by;
    uint64_t total = 0, other = 0, drops = 0, kernel_packets = 0, discarded = 0, vlan = 0, mismatch = 0;
    std::map<uint16_t, uint64_t> vlan_ids;
    std::string per_member;
    for (const auto& m : members) {
        for (const auto& [key, n] : m.sink.flows) seen_by[key]++;
        for (const auto& [id, n] : m.sink.vlan_ids) vlan_ids[id] += n;
        total += m.sink.matched;
        other += m.sink.other;
        vlan += m.sink.vlan_frames;
        mismatch += m.sink.wirelen_mismatch;
        drops += m.source->counters().kernel_drops;
        kernel_packets += m.source->counters().kernel_packets;
        discarded += m.source->counters().discarded_sync;
        per_member += (per_member.empty() ? "" : ",") + std::to_string(m.sink.matched);
    }
    const auto split = std::count_if(seen_by.begin(), seen_by.end(), [](const auto& e) { return e.second > 1; });
    std::printf("{\"total\":%llu,\"per_member\":[%s],\"flows\":%zu,\"flows_split_across_members\":%lld,"
                "\"kernel_drops\":%llu,\"kernel_packets\":%llu,\"discarded_sync\":%llu,\"other_frames\":%llu,"
                "\"vlan_frames\":%llu,\"vlan_ids\":%zu,\"wirelen_mismatch\":%llu,\"timed_out\":%s}\n",
                static_cast<unsigned long long>(total), per_member.c_str(), seen_by.size(),
                static_cast<long long>(split), static_cast<unsigned long long>(drops),
                static_cast<unsigned long long>(kernel_packets), static_cast<unsigned long long>(discarded),
                static_cast<unsigned long long>(other), static_cast<unsigned long long>(vlan), vlan_ids.size(),
                static_cast<unsigned long long>(mismatch), timed_out ? "true" : "false");
    return 0;
}
