// The bounded tables: a worker's ShardTable never grows and keeps heavy keys through a flood
// of one-off keys; the stats thread's WindowTable slides and stays bounded.
#include <catch2/catch.hpp>

#include "detect/detect_keys.hpp"
#include "detect/shard_table.hpp"
#include "detect/window_table.hpp"

using namespace nms;
using namespace nms::detect;

namespace {
struct Count {
    uint64_t n = 0;
    [[nodiscard]] uint64_t weight() const noexcept { return n; }
    void merge(const Count& o) noexcept { n += o.n; }
};
}  // namespace

TEST_CASE("ShardTable keeps heavy keys and bounded size under a flood of distinct keys", "[detect][tables]") {
    ShardTable<HostKey, Count> t(1024);
    const HostKey heavy{IpAddr::from_v4(0x0a000001u)};
    for (uint32_t i = 0; i < 200000; ++i) {
        if (i % 10 == 0) ++t.upsert(heavy).n;
        ++t.upsert(HostKey{IpAddr::from_v4(0x0b000000u + i)}).n;  // random-source flood
    }
    CHECK(t.size() <= 1024);
    CHECK(t.evicted() > 150000);
    uint64_t heavy_count = 0;
    t.for_each([&](const HostKey& k, const Count& c) {
        if (k == heavy) heavy_count = c.n;
    });
    CHECK(heavy_count == 20000);  // never evicted: always the heaviest of its set
    t.clear();
    CHECK(t.empty());
    ++t.upsert(heavy).n;
    CHECK(t.size() == 1);
}

TEST_CASE("WindowTable sums the slices inside the window and forgets old keys", "[detect][tables]") {
    WindowTable<HostKey, Count> w(100, 60);  // 6 slices of 10 s
    const HostKey k{IpAddr::from_v4(0x0a000001u)};
    for (int64_t s = 1000; s < 1060; ++s) w.add(k, s, Count{1});
    uint64_t seen = 0;
    w.for_each(1059, [&](const HostKey&, const Count& c) { seen = c.n; });
    CHECK(seen == 60);
    seen = 0;
    w.for_each(1085, [&](const HostKey&, const Count& c) { seen = c.n; });  // 1040.. still inside
    CHECK(seen == 30);  // slices 103..108 are inside: seconds 1030..1059 of the data
    size_t keys = 0;
    w.for_each(2000, [&](const HostKey&, const Count&) { ++keys; });
    CHECK(keys == 0);
    CHECK(w.size() == 0);  // forgotten, not just hidden

    // Bounded: the least recently updated go first.
    for (uint32_t i = 0; i < 1000; ++i) w.add(HostKey{IpAddr::from_v4(0x0c000000u + i)}, 3000 + i, Count{1});
    CHECK(w.size() <= 100);
    CHECK(w.evicted() > 0);
    bool newest_kept = false;
    w.for_each(3999, [&](const HostKey& key, const Count&) { newest_kept |= key.ip == IpAddr::from_v4(0x0c000000u + 999); });
    CHECK(newest_kept);
}

TEST_CASE("WindowTable eviction of keys tied in the same second keeps most of the table", "[detect][tables]") {
    WindowTable<HostKey, Count> w(80, 60);
    // A flood: every key was last updated in the same second, so all of them tie at the cutoff.
    for (uint32_t i = 0; i < 80; ++i) w.add(HostKey{IpAddr::from_v4(0x0c000000u + i)}, 5000, Count{1});
    REQUIRE(w.size() == 80);
    w.add(HostKey{IpAddr::from_v4(0x0d000000u)}, 5000, Count{1});  // full: one eviction round
    CHECK(w.evicted() == 10);                                       // an eighth, not all 80
    CHECK(w.size() == 71);
}
