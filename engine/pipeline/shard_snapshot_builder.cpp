// Worker::maybe_snapshot: answers a stats epoch with this shard's ShardSnapshot.
#include <algorithm>
#include <unordered_map>

#include "common/time.hpp"
#include "pipeline/worker.hpp"

namespace nms::pipeline {
namespace {

struct IpAddrHash {
    size_t operator()(const IpAddr& a) const noexcept {
        uint64_t w[2];
        std::memcpy(w, a.bytes.data(), 16);
        return static_cast<size_t>((w[0] ^ (w[1] * 0x9e3779b97f4a7c15ULL)) * 0xff51afd7ed558ccdULL);
    }
};

void add_talker(std::unordered_map<IpAddr, TalkerDelta, IpAddrHash>& hosts, const IpAddr& ip, uint64_t out_b,
                uint64_t out_p, uint64_t in_b, uint64_t in_p) {
    auto& t = hosts[ip];
    t.ip = ip;
    t.bytes_out += out_b;
    t.packets_out += out_p;
    t.bytes_in += in_b;
    t.packets_in += in_p;
    ++t.flows;
}

}  // namespace

void Worker::maybe_snapshot(bool force) noexcept {
    const uint64_t epoch = control_.epoch.load(std::memory_order_acquire);
    if (!force && epoch == seen_epoch_) return;
    seen_epoch_ = epoch;

    auto* snap = new (std::nothrow) ShardSnapshot;
    if (!snap) return;
    snap->worker = opts_.id;
    snap->epoch = epoch;
    snap->packet_time = last_pkt_ts_;
    snap->traffic = traffic_;
    snap->flows = flows_.counters();
    snap->dpi = dpi_.counters();
    snap->active_flows = flows_.size();
    snap->flow_capacity = flows_.capacity();
    snap->busy_ns = busy_ns_;
    snap->alive_ns = monotonic_ns() - started_mono_;

    try {
        snap->latency = std::make_unique<dpi::LatencyTable>(dpi_.latency());
        if (detect_) {
            detect_->collect(flows_, last_pkt_ts_);  // the current second so far; it goes on
            snap->detect = detect_->take_pending();
            snap->detect_counters = detect_->counters();
        }
        if (devices_) {
            devices_->take_dirty(snap->devices);
            snap->device_counters = devices_->counters();
        }
        // Walk the flows touched since the last snapshot and charge what they moved since
        // then to the flow and to both endpoints.
        std::unordered_map<IpAddr, TalkerDelta, IpAddrHash> hosts;
        const size_t k = size_t{control_.top_n.load(std::memory_order_relaxed)} * 2;  // depth for the merge
        // Top flows by interval bytes in a bounded min-heap: O(k) memory however many flows moved.
        auto heap_less = [](const FlowSummary& a, const FlowSummary& b) { return a.interval_bytes > b.interval_bytes; };
        std::vector<FlowSummary> flows;
        flows.reserve(k + 1);
        flows_.for_each_touched_since(interval_start_ts_, [&](flow::Flow& f) {
            const uint64_t bytes = f.total_bytes();
            const uint64_t pkts = f.total_pkts();
            const uint64_t db = bytes - f.reported_bytes;
            const uint64_t dp = static_cast<uint32_t>(static_cast<uint32_t>(pkts) - f.reported_pkts);  // mod 2^32
            if (dp == 0) return;
            // Split the interval delta by direction in proportion to the cumulative split:
            // exact when only one side talked, close enough for ranking otherwise.
            const double c2s = bytes ? static_cast<double>(f.bytes[flow::kToServer]) / static_cast<double>(bytes) : 1.0;
            const auto db_c2s = static_cast<uint64_t>(static_cast<double>(db) * c2s);
            const auto dp_c2s = static_cast<uint64_t>(static_cast<double>(dp) * c2s);
            const IpAddr& client = f.client_is_lo ? f.key.addr_lo : f.key.addr_hi;
            const IpAddr& server = f.client_is_lo ? f.key.addr_hi : f.key.addr_lo;
            add_talker(hosts, client, db_c2s, dp_c2s, db - db_c2s, dp - dp_c2s);
            add_talker(hosts, server, db - db_c2s, dp - dp_c2s, db_c2s, dp_c2s);
            if (flows.size() < k || db > flows.front().interval_bytes) {
                flows.push_back(FlowSummary{f, db, dp});
                std::push_heap(flows.begin(), flows.end(), heap_less);
                if (flows.size() > k) {
                    std::pop_heap(flows.begin(), flows.end(), heap_less);
                    flows.pop_back();
                }
            }
            f.reported_bytes = bytes;
            f.reported_pkts = static_cast<uint32_t>(pkts);
        });
        std::sort_heap(flows.begin(), flows.end(), heap_less);  // largest first
        snap->top_flows = std::move(flows);
        snap->talkers.reserve(hosts.size());
        for (auto& [ip, t] : hosts) snap->talkers.push_back(t);
        auto by_total = [](const TalkerDelta& a, const TalkerDelta& b) {
            return a.bytes_in + a.bytes_out > b.bytes_in + b.bytes_out;
        };
        if (snap->talkers.size() > k) {
            std::partial_sort(snap->talkers.begin(), snap->talkers.begin() + static_cast<std::ptrdiff_t>(k),
                              snap->talkers.end(), by_total);
            snap->talkers.resize(k);
        } else {
            std::sort(snap->talkers.begin(), snap->talkers.end(), by_total);
        }
    } catch (const std::bad_alloc&) {
        // Lists are best effort under memory pressure; counters still go out.
    }
    interval_start_ts_ = last_pkt_ts_;
    if (!snapshots_.push(snap)) {
        ++snapshot_drops_;  // stats thread is behind: it will take the next one
        delete snap;
    }
}

}  // namespace nms::pipeline
