// HyperLogLog error bounds: the relative standard error is 1.04 / sqrt(2^P); across many
// independent sketches the mean absolute relative error must stay within that, and no
// single estimate may be off by more than 4 standard errors. Merge must equal the union.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>

#include "detect/hyperloglog.hpp"

using namespace nms::detect;

namespace {

template <unsigned P>
void check_error(uint64_t n) {
    const double se = 1.04 / std::sqrt(static_cast<double>(1u << P));
    constexpr int kTrials = 40;
    double sum_rel = 0;
    double worst = 0;
    for (int t = 0; t < kTrials; ++t) {
        Hll<P> h;
        for (uint64_t i = 0; i < n; ++i) h.add((uint64_t(t) << 40) | i);
        const double rel = std::abs(h.estimate() - static_cast<double>(n)) / static_cast<double>(n);
        sum_rel += rel;
        worst = std::max(worst, rel);
    }
    INFO("P=" << P << " n=" << n << " mean rel err=" << sum_rel / kTrials << " worst=" << worst << " se=" << se);
    CHECK(sum_rel / kTrials <= se);  // mean |error| of a normal estimate is ~0.8 se
    CHECK(worst <= 4 * se);
}

}  // namespace

TEST_CASE("HLL estimates stay within the documented error", "[detect][hll]") {
    for (uint64_t n : {10ull, 50ull, 100ull, 300ull, 1000ull, 10000ull, 100000ull}) {
        check_error<6>(n);
        check_error<7>(n);
        check_error<8>(n);
    }
}

TEST_CASE("HLL is exact-ish for small sets and ignores repeats", "[detect][hll]") {
    SmallHll h;
    CHECK(h.empty());
    CHECK(h.count() == 0);
    for (int r = 0; r < 100; ++r)
        for (uint64_t i = 0; i < 20; ++i) h.add(i);
    CHECK_FALSE(h.empty());
    CHECK(h.count() >= 18);
    CHECK(h.count() <= 22);
}

TEST_CASE("HLL merge equals the sketch of the union", "[detect][hll]") {
    Hll<7> a, b, all;
    for (uint64_t i = 0; i < 5000; ++i) {
        (i % 3 ? a : b).add(i);
        all.add(i);
    }
    Hll<7> m = a;
    m.merge(b);
    CHECK(m.estimate() == all.estimate());  // register-wise max is exactly the union's registers
    // Overlapping halves (one scanner seen by two workers) do not double count.
    Hll<7> x, y;
    for (uint64_t i = 0; i < 1000; ++i) {
        x.add(i);
        y.add(i + 500);
    }
    x.merge(y);
    CHECK(std::abs(x.estimate() - 1500.0) / 1500.0 < 4 * 1.04 / std::sqrt(128.0));
}
