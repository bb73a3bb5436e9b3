// The latency histogram against exact percentiles of sorted random data: every
// percentile within 1%, merging equal to recording everything in one, and the edges
// (nothing recorded, one value, values beyond the top).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "probes/storage/latency_histogram.h"

namespace assay {
namespace {

// The value at `fraction` as the contract defines it: the smallest recorded value with
// at least that fraction of all values at or below it.
double exact_percentile_seconds(std::vector<std::int64_t> values, double fraction) {
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(values.size()) * (1 - 1e-12)));
  return static_cast<double>(values[std::max<std::size_t>(rank, 1) - 1]) * 1e-9;
}

std::vector<std::int64_t> log_uniform_ns(std::size_t count, double low_ns, double high_ns, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> exponent(std::log(low_ns), std::log(high_ns));
  std::vector<std::int64_t> values;
  for (std::size_t i = 0; i < count; ++i) values.push_back(static_cast<std::int64_t>(std::exp(exponent(rng))));
  return values;
}

constexpr double fractions[] = {0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 0.9999, 1.0};

TEST(LatencyHistogram, PercentilesOfRandomDataAreWithinOnePercentOfTheExactOnes) {
  for (unsigned seed = 1; seed <= 5; ++seed) {
    // From 20 ns to 2 s: the exact range, the log buckets and many powers of two.
    const auto values = log_uniform_ns(100000, 20, 2e9, seed);
    LatencyHistogram h;
    for (const std::int64_t v : values) h.record(v);
    EXPECT_EQ(h.count(), 100000);
    for (const double f : fractions) {
      const double exact = exact_percentile_seconds(values, f);
      EXPECT_NEAR(h.percentile_seconds(f), exact, 0.01 * exact) << "fraction " << f << " seed " << seed;
    }
  }
}

TEST(LatencyHistogram, TypicalStorageLatenciesAreWithinOnePercent) {
  // Around 100 us with a long tail, as 4 KiB reads of a drive.
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> latency(std::log(100e3), 0.6);
  std::vector<std::int64_t> values;
  LatencyHistogram h;
  for (int i = 0; i < 50000; ++i) {
    values.push_back(static_cast<std::int64_t>(latency(rng)));
    h.record(values.back());
  }
  for (const double f : fractions) {
    const double exact = exact_percentile_seconds(values, f);
    EXPECT_NEAR(h.percentile_seconds(f), exact, 0.01 * exact) << "fraction " << f;
  }
  double sum = 0;
  for (const auto v : values) sum += static_cast<double>(v);
  EXPECT_NEAR(h.mean_seconds(), sum / static_cast<double>(values.size()) * 1e-9, 1e-12);
  EXPECT_EQ(h.max_seconds(), static_cast<double>(*std::max_element(values.begin(), values.end())) * 1e-9);
}

TEST(LatencyHistogram, EveryValueIsReportedWithinOnePercentOfItself) {
  // A histogram of one value reports (close to) that value, for values of every size.
  for (std::int64_t v = 1; v < (std::int64_t{1} << 41); v = v * 5 / 4 + 1) {
    LatencyHistogram h;
    h.record(v);
    const double seconds = static_cast<double>(v) * 1e-9;
    EXPECT_NEAR(h.percentile_seconds(0.5), seconds, 0.01 * seconds) << v << " ns";
    EXPECT_NEAR(h.percentile_seconds(1.0), seconds, 0.01 * seconds) << v << " ns";
    EXPECT_LE(h.percentile_seconds(1.0), seconds) << "never above the largest value recorded";
  }
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (std::int64_t v = 0; v < 200; ++v) h.record(v);
  EXPECT_DOUBLE_EQ(h.percentile_seconds(0.5), 99e-9);
  EXPECT_DOUBLE_EQ(h.percentile_seconds(1.0), 199e-9);
  EXPECT_DOUBLE_EQ(h.percentile_seconds(0.001), 0.0);
}

TEST(LatencyHistogram, MergingEqualsRecordingEverythingInOne) {
  const auto a = log_uniform_ns(30000, 1e3, 1e7, 7);
  const auto b = log_uniform_ns(20000, 5e4, 5e8, 8);
  LatencyHistogram ha, hb, all;
  for (const auto v : a) {
    ha.record(v);
    all.record(v);
  }
  for (const auto v : b) {
    hb.record(v);
    all.record(v);
  }
  ha.merge(hb);
  EXPECT_EQ(ha.count(), all.count());
  for (const double f : fractions) EXPECT_EQ(ha.percentile_seconds(f), all.percentile_seconds(f)) << f;
  EXPECT_DOUBLE_EQ(ha.mean_seconds(), all.mean_seconds());
  EXPECT_EQ(ha.max_seconds(), all.max_seconds());
}

TEST(LatencyHistogram, EmptyReportsZeros) {
  const LatencyHistogram h;
  EXPECT_EQ(h.count(), 0);
  EXPECT_EQ(h.percentile_seconds(0.5), 0);
  EXPECT_EQ(h.percentile_seconds(1.0), 0);
  EXPECT_EQ(h.mean_seconds(), 0);
  EXPECT_EQ(h.max_seconds(), 0);
  LatencyHistogram merged;
  merged.merge(h);
  EXPECT_EQ(merged.count(), 0);
}

TEST(LatencyHistogram, ValuesBeyondTheTopAreClampedAndCounted) {
  LatencyHistogram h;
  h.record(1000);
  h.record(std::int64_t{10} * 3600 * 1000000000);  // ten hours
  h.record(-5);                                    // a clock step backwards counts as 0
  EXPECT_EQ(h.count(), 3);
  EXPECT_EQ(h.clamped(), 1);
  EXPECT_DOUBLE_EQ(h.max_seconds(), 36000.0);
  // The clamped value sits in the top bucket, past an hour.
  EXPECT_GT(h.percentile_seconds(1.0), 3600.0);
  EXPECT_LT(h.percentile_seconds(1.0), 36000.0);
  EXPECT_EQ(h.percentile_seconds(0.33), 0.0);
  EXPECT_NEAR(h.percentile_seconds(0.5), 1e-6, 1e-8);
}

}  // namespace
}  // namespace assay
