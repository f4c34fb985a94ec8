// StatsMerger::seed_history: stored points come first in the published history, the ring
// bound still holds, and points not older than live ones are ignored.
#include <catch2/catch.hpp>

#include "stats/stats_merger.hpp"

using namespace nms;
using namespace nms::stats;

namespace {
RatePoint point(uint64_t s, double pps) {
    RatePoint p;
    p.wall_ns = s * kNsPerSec;
    p.pps = pps;
    return p;
}
}  // namespace

TEST_CASE("seeded history is published before live points, within the bound", "[stats]") {
    StatsMerger m(4);
    m.seed_history({point(100, 1), point(101, 2), point(102, 3), point(103, 4), point(104, 5)});
    const auto snap = m.merge({}, {}, {}, {}, 10, 200 * kNsPerSec, 1);
    REQUIRE(snap->history);
    const auto& h = *snap->history;
    REQUIRE(h.size() == 4);  // newest three seeded + the live one
    CHECK(h[0].wall_ns == 102 * kNsPerSec);
    CHECK(h[2].pps == 5);
    CHECK(h[3].wall_ns == 200 * kNsPerSec);
}

TEST_CASE("seed points newer than live history are ignored", "[stats]") {
    StatsMerger m(10);
    m.merge({}, {}, {}, {}, 10, 50 * kNsPerSec, 1);
    m.seed_history({point(40, 1), point(60, 2)});
    const auto snap = m.merge({}, {}, {}, {}, 10, 51 * kNsPerSec, 2);
    const auto& h = *snap->history;
    REQUIRE(h.size() == 3);
    CHECK(h[0].wall_ns == 40 * kNsPerSec);
    CHECK(h[1].wall_ns == 50 * kNsPerSec);
}
