#include <catch2/catch.hpp>

#include <list>
#include <random>
#include <unordered_map>

#include "flow/flow_table.hpp"
#include "flow_test_util.hpp"

using namespace nms;
using namespace nms::flow;
using namespace nms::flow::test;

namespace {

// Reference model: one LRU list (all flows are UDP, so one timeout class) in std containers.
class ModelTable {
 public:
    ModelTable(size_t capacity, uint64_t timeout_ns) : capacity_(capacity), timeout_ns_(timeout_ns) {}

    // Returns the ends the real table must report for this packet, in order.
    std::vector<std::pair<int, EndReason>> process(int key, TimestampNs now) {
        std::vector<std::pair<int, EndReason>> ends;
        if (auto it = map_.find(key); it != map_.end()) {
            if (expired(it->second.last, now)) {
                ends.emplace_back(key, EndReason::kTimeout);
                erase(key);
            } else {
                lru_.splice(lru_.begin(), lru_, it->second.pos);
                it->second.last = now;
                ++it->second.pkts;
                return ends;
            }
        }
        if (map_.size() == capacity_) {
            const int victim = lru_.back();
            ends.emplace_back(victim, expired(map_[victim].last, now) ? EndReason::kTimeout : EndReason::kEvicted);
            erase(victim);
        }
        lru_.push_front(key);
        map_[key] = Entry{lru_.begin(), now, 1};
        return ends;
    }

    std::vector<std::pair<int, EndReason>> expire(TimestampNs now) {
        std::vector<std::pair<int, EndReason>> ends;
        while (!lru_.empty() && expired(map_[lru_.back()].last, now)) {
            ends.emplace_back(lru_.back(), EndReason::kTimeout);
            erase(lru_.back());
        }
        return ends;
    }

    [[nodiscard]] size_t size() const { return map_.size(); }
    [[nodiscard]] bool contains(int key) const { return map_.count(key) != 0; }
    [[nodiscard]] uint32_t pkts(int key) const { return map_.at(key).pkts; }

 private:
    struct Entry {
        std::list<int>::iterator pos;
        TimestampNs last = 0;
        uint32_t pkts = 0;
    };
    bool expired(TimestampNs last, TimestampNs now) const { return now > last && now - last > timeout_ns_; }
    void erase(int key) {
        lru_.erase(map_.at(key).pos);
        map_.erase(key);
    }
    size_t capacity_;
    uint64_t timeout_ns_;
    std::list<int> lru_;
    std::unordered_map<int, Entry> map_;
};

// Key number -> endpoints; a mix of IPv4 and IPv6 so keys differ in many bytes.
decode::PacketView packet_for(int k, TimestampNs ts, bool reply) {
    const uint16_t port = static_cast<uint16_t>(1024 + k);
    IpAddr a = (k % 3 == 0) ? ip("2001:db8::5") : ip("10.0.0.5");
    IpAddr b = (k % 3 == 0) ? ip("2001:db8::9") : ip("10.0.0.9");
    b.bytes[15] = static_cast<uint8_t>(b.bytes[15] + (k % 7));
    const Endpoint cli{a, port};
    const Endpoint srv{b, 5353};
    return reply ? udp(srv, cli, ts) : udp(cli, srv, ts);
}

int key_number(const Flow& f) { return (f.key.port_lo == 5353 ? f.key.port_hi : f.key.port_lo) - 1024; }

}  // namespace

TEST_CASE("flow: random inserts/expiries/evictions match a reference model", "[flow]") {
    const uint32_t capacity = GENERATE(8u, 64u, 1000u);
    const int pool = static_cast<int>(capacity) * 3;
    FlowTimeouts t;
    t.udp_s = 1;
    t.active_s = 0;
    FlowTable table(capacity, t, 1, 1);
    ModelTable model(capacity, t.udp_s * kNsPerSec);
    RecordingSink sink;
    std::mt19937 rng(12345u + capacity);
    std::uniform_int_distribution<int> pick_key(0, pool - 1);
    std::uniform_int_distribution<int> pick_op(0, 99);

    TimestampNs now = kT0;
    for (int op = 0; op < 100'000; ++op) {
        // Time mostly creeps (the table fills and evicts) and sometimes jumps 0.5-1.5 s, so
        // idle flows expire too (timeout 1 s).
        const uint64_t step = rng() % 1000;
        if (step < 5) now += (500 + rng() % 1000) * kNsPerMs;
        else if (step < 100) now += (rng() % 3) * kNsPerMs;
        sink.ended.clear();
        std::vector<std::pair<int, EndReason>> want;
        if (pick_op(rng) < 3) {
            table.expire(now, sink);
            want = model.expire(now);
        } else {
            const int k = pick_key(rng);
            const Flow* f = table.process(packet_for(k, now, rng() % 4 == 0), sink);
            want = model.process(k, now);
            REQUIRE(f != nullptr);
            REQUIRE(key_number(*f) == k);
        }
        std::vector<std::pair<int, EndReason>> got;
        for (const auto& [fl, r] : sink.ended) got.emplace_back(key_number(fl), r);
        REQUIRE(got == want);
        REQUIRE(table.size() == model.size());
        if (op % 997 == 0) {
            for (int k = 0; k < pool; ++k) {
                const Flow* f = table.find(packet_for(k, now, false).key);
                REQUIRE((f != nullptr) == model.contains(k));
                if (f != nullptr) REQUIRE(f->total_pkts() == model.pkts(k));
            }
        }
    }
    const auto& c = table.counters();
    CHECK(c.created - c.ended() == table.size());
    CHECK(c.evicted > 0);
    CHECK(c.ended_timeout > 0);
}
