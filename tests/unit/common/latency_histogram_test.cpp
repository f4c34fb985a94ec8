#include <catch2/catch.hpp>

#include <random>

#include "common/latency_histogram.hpp"

using nms::LatencyHistogram;

TEST_CASE("LatencyHistogram percentiles are within a bucket of the truth", "[common]") {
    LatencyHistogram h;
    for (uint64_t us = 1; us <= 10000; ++us) h.record(us);  // uniform 1..10000 us
    CHECK(h.count() == 10000);
    for (double p : {50.0, 95.0, 99.0}) {
        const double truth = 100.0 * p;
        const auto got = static_cast<double>(h.percentile(p));
        CHECK(got >= truth);
        CHECK(got <= truth * 1.13);  // 8 buckets per octave: <= 12.5% wide
    }
    CHECK(h.mean_us() == Approx(5000.5));
}

TEST_CASE("LatencyHistogram buckets are monotonic and cover huge values", "[common]") {
    int prev = -1;
    for (uint64_t us : {0ull, 1ull, 7ull, 8ull, 9ull, 15ull, 16ull, 1000ull, 1ull << 30, 1ull << 50, ~0ull}) {
        const int b = LatencyHistogram::bucket_of(us);
        CHECK(b >= prev);
        CHECK(b < LatencyHistogram::kBuckets);
        if (us < (1ull << 39)) CHECK(LatencyHistogram::upper_of(b) >= us);
        prev = b;
    }
}

TEST_CASE("LatencyHistogram merges by addition", "[common]") {
    LatencyHistogram a, b;
    std::mt19937_64 rng(3);
    for (int i = 0; i < 1000; ++i) a.record(rng() % 500);
    for (int i = 0; i < 1000; ++i) b.record(1000 + rng() % 500);
    a.merge(b);
    CHECK(a.count() == 2000);
    CHECK(a.percentile(40) < 600);
    CHECK(a.percentile(60) >= 1000);
}
