#include "core/stats.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

namespace assay {
namespace {

// Reference for the tests: P(Binomial(n, 1/2) <= k) by summing every term in the log
// domain from k = 0 (slow and simple, unlike the library's).
double reference_cdf(std::size_t n, std::size_t k) {
  const auto nd = static_cast<double>(n);
  double log_sum = -INFINITY;
  for (std::size_t j = 0; j <= k; ++j) {
    const auto jd = static_cast<double>(j);
    const double log_term =
        std::lgamma(nd + 1) - std::lgamma(jd + 1) - std::lgamma(nd - jd + 1) - nd * std::log(2.0);
    const double hi = std::max(log_sum, log_term), lo = std::min(log_sum, log_term);
    log_sum = hi + std::log1p(std::exp(lo - hi));
  }
  return std::exp(log_sum);
}

TEST(MedianCiRanks, TenSamples) {
  // P(B(10,1/2) <= 1) = 11/1024 (2x = 0.0215 <= 0.05); P(B <= 2) = 56/1024 (too much).
  const auto r = median_ci_ranks(10);
  EXPECT_EQ(r.lower, 2u);
  EXPECT_EQ(r.upper, 9u);
  EXPECT_DOUBLE_EQ(r.coverage, 1.0 - 22.0 / 1024.0);
}

TEST(MedianCiRanks, FiveSamplesGiveMinToMax) {
  const auto r = median_ci_ranks(5);
  EXPECT_EQ(r.lower, 1u);
  EXPECT_EQ(r.upper, 5u);
  EXPECT_DOUBLE_EQ(r.coverage, 1.0 - 2.0 / 32.0);  // 0.9375: below the 95% asked for
}

TEST(MedianCiRanks, SixSamplesFirstReach95) {
  const auto r = median_ci_ranks(6);
  EXPECT_EQ(r.lower, 1u);
  EXPECT_EQ(r.upper, 6u);
  EXPECT_DOUBLE_EQ(r.coverage, 1.0 - 2.0 / 64.0);
}

TEST(MedianCiRanks, TwentySamples) {
  // Sum of C(20,j) for j <= 5 is 21700, for j <= 6 it is 60460; 2^20 = 1048576.
  const auto r = median_ci_ranks(20);
  EXPECT_EQ(r.lower, 6u);
  EXPECT_EQ(r.upper, 15u);
  EXPECT_DOUBLE_EQ(r.coverage, 1.0 - 2.0 * 21700.0 / 1048576.0);
}

TEST(MedianCiRanks, OtherLevels) {
  // n = 10 at 99%: only [min, max] (1 - 2/1024) reaches it.
  auto r = median_ci_ranks(10, 0.99);
  EXPECT_EQ(r.lower, 1u);
  EXPECT_DOUBLE_EQ(r.coverage, 1.0 - 2.0 / 1024.0);
  // n = 10 at 80%: l = 3, coverage 1 - 2 * 56/1024 = 0.890625.
  r = median_ci_ranks(10, 0.80);
  EXPECT_EQ(r.lower, 3u);
  EXPECT_EQ(r.upper, 8u);
  EXPECT_DOUBLE_EQ(r.coverage, 1.0 - 112.0 / 1024.0);
  // Level 0: the narrowest pair, the middle itself for odd n.
  r = median_ci_ranks(11, 0.0);
  EXPECT_EQ(r.lower, 6u);
  EXPECT_EQ(r.upper, 6u);
  EXPECT_NEAR(r.coverage, 0.0, 1e-15);
  // Level 1 cannot be reached: [min, max] with what it has.
  r = median_ci_ranks(10, 1.0);
  EXPECT_EQ(r.lower, 1u);
  EXPECT_EQ(r.upper, 10u);
}

TEST(MedianCiRanks, TinyN) {
  EXPECT_EQ(median_ci_ranks(0).lower, 0u);
  EXPECT_EQ(median_ci_ranks(0).upper, 0u);
  EXPECT_EQ(median_ci_ranks(0).coverage, 0.0);
  const auto one = median_ci_ranks(1);
  EXPECT_EQ(one.lower, 1u);
  EXPECT_EQ(one.upper, 1u);
  EXPECT_DOUBLE_EQ(one.coverage, 0.0);
  const auto two = median_ci_ranks(2);
  EXPECT_EQ(two.lower, 1u);
  EXPECT_EQ(two.upper, 2u);
  EXPECT_DOUBLE_EQ(two.coverage, 0.5);
}

// The chosen l is the largest that reaches the level: l reaches it, l + 1 does not.
void expect_tightest(std::size_t n, double level) {
  SCOPED_TRACE(n);
  const auto r = median_ci_ranks(n, level);
  ASSERT_GE(r.lower, 1u);
  EXPECT_EQ(r.upper, n + 1 - r.lower);
  const double at_l = 1.0 - 2.0 * reference_cdf(n, r.lower - 1);
  EXPECT_NEAR(r.coverage, at_l, 1e-9);
  EXPECT_GE(r.coverage, level);
  const double at_next = 1.0 - 2.0 * reference_cdf(n, r.lower);
  EXPECT_LT(at_next, level);
}

TEST(MedianCiRanks, AgreesWithReferenceAcrossTheExactAndLogRegimes) {
  for (std::size_t n : {7u, 30u, 99u, 100u, 999u, 1000u, 1001u, 1002u, 4321u, 20000u})
    expect_tightest(n, 0.95);
  expect_tightest(5000, 0.99);
  expect_tightest(5000, 0.5);
}

TEST(MedianCiRanks, LargeNAgainstExactBinomialSums) {
  // Computed with exact integer sums of C(n, j) (Python fractions). n = 1001 is the
  // first size on the lgamma path, and its coverage lies only 1.5e-5 above 95%.
  struct Case {
    std::size_t n, lower, upper;
    double coverage;
  };
  for (const Case& c : {Case{1001, 470, 532, 0.9500154764972458}, Case{2000, 956, 1045, 0.9534471795082162},
                        Case{20000, 9861, 10140, 0.9514875384041096}}) {
    SCOPED_TRACE(c.n);
    const auto r = median_ci_ranks(c.n);
    EXPECT_EQ(r.lower, c.lower);
    EXPECT_EQ(r.upper, c.upper);
    EXPECT_NEAR(r.coverage, c.coverage, 1e-10);
  }
}

TEST(MedianCiRanks, MillionSamplesMatchTheNormalApproximation) {
  const std::size_t n = 1'000'000;
  const auto r = median_ci_ranks(n);
  // n/2 - 1.96 sqrt(n)/2 = 499020; the exact rank is within a couple of that.
  EXPECT_NEAR(static_cast<double>(r.lower), 499020.0, 3.0);
  EXPECT_EQ(r.upper, n + 1 - r.lower);
  EXPECT_GE(r.coverage, 0.95);
  EXPECT_LT(r.coverage, 0.9503);  // neighbouring ranks differ by ~2.3e-4 of coverage
  const auto ten_million = median_ci_ranks(10'000'000);
  EXPECT_GE(ten_million.coverage, 0.95);
  EXPECT_LT(ten_million.coverage, 0.9501);
}

TEST(Percentile, Type7Rule) {
  const std::vector<double> x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_DOUBLE_EQ(percentile_sorted(x, 0.0), 1);
  EXPECT_DOUBLE_EQ(percentile_sorted(x, 1.0), 10);
  EXPECT_DOUBLE_EQ(percentile_sorted(x, 0.5), 5.5);
  EXPECT_DOUBLE_EQ(percentile_sorted(x, 0.05), 1.45);  // h = 9 * 0.05 = 0.45
  EXPECT_DOUBLE_EQ(percentile_sorted(x, 0.95), 9.55);
  EXPECT_DOUBLE_EQ(percentile_sorted(x, 0.25), 3.25);
  const std::vector<double> y = {10, 20, 40};
  EXPECT_DOUBLE_EQ(percentile_sorted(y, 0.75), 30);  // h = 1.5
  EXPECT_DOUBLE_EQ(percentile_sorted(y, 0.9), 36);   // h = 1.8
}

TEST(Percentile, EdgeCases) {
  EXPECT_EQ(percentile_sorted({}, 0.5), 0.0);
  const std::vector<double> one = {42};
  EXPECT_EQ(percentile_sorted(one, 0.0), 42);
  EXPECT_EQ(percentile_sorted(one, 0.95), 42);
  const std::vector<double> x = {1, 2};
  EXPECT_EQ(percentile_sorted(x, -1), 1);  // clamped
  EXPECT_EQ(percentile_sorted(x, 2), 2);
}

TEST(Summarize, OneToTen) {
  std::vector<double> x = {7, 3, 10, 1, 5, 9, 2, 8, 4, 6};  // any order
  const auto s = summarize(x);
  EXPECT_EQ(s.n, 10u);
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.max, 10);
  EXPECT_DOUBLE_EQ(s.mean, 5.5);
  EXPECT_DOUBLE_EQ(s.median, 5.5);
  // Sum of squared deviations 82.5 over n - 1 = 9.
  EXPECT_DOUBLE_EQ(s.stdev, std::sqrt(82.5 / 9));
  EXPECT_DOUBLE_EQ(s.cv, std::sqrt(82.5 / 9) / 5.5);
  EXPECT_DOUBLE_EQ(s.p05, 1.45);
  EXPECT_DOUBLE_EQ(s.p95, 9.55);
  EXPECT_EQ(s.median_ci_low, 2);
  EXPECT_EQ(s.median_ci_high, 9);
  EXPECT_DOUBLE_EQ(s.median_ci_level, 1.0 - 22.0 / 1024.0);
}

TEST(Summarize, FiveSamplesUseMinMax) {
  const std::vector<double> x = {1.0e11, 1.2e11, 1.1e11, 1.3e11, 0.9e11};
  const auto s = summarize(x);
  EXPECT_EQ(s.median, 1.1e11);
  EXPECT_EQ(s.median_ci_low, 0.9e11);
  EXPECT_EQ(s.median_ci_high, 1.3e11);
  EXPECT_DOUBLE_EQ(s.median_ci_level, 0.9375);
}

TEST(Summarize, Empty) {
  const auto s = summarize({});
  EXPECT_EQ(s.n, 0u);
  EXPECT_EQ(s.min, 0);
  EXPECT_EQ(s.max, 0);
  EXPECT_EQ(s.mean, 0);
  EXPECT_EQ(s.median, 0);
  EXPECT_EQ(s.stdev, 0);
  EXPECT_EQ(s.cv, 0);
  EXPECT_EQ(s.median_ci_level, 0);
}

TEST(Summarize, One) {
  const std::vector<double> x = {3.5e9};
  const auto s = summarize(x);
  EXPECT_EQ(s.n, 1u);
  EXPECT_EQ(s.min, 3.5e9);
  EXPECT_EQ(s.max, 3.5e9);
  EXPECT_EQ(s.mean, 3.5e9);
  EXPECT_EQ(s.median, 3.5e9);
  EXPECT_EQ(s.p05, 3.5e9);
  EXPECT_EQ(s.p95, 3.5e9);
  EXPECT_EQ(s.stdev, 0);
  EXPECT_EQ(s.cv, 0);
  EXPECT_EQ(s.median_ci_low, 3.5e9);
  EXPECT_EQ(s.median_ci_high, 3.5e9);
  EXPECT_EQ(s.median_ci_level, 0);
}

TEST(Summarize, ZeroMeanHasZeroCv) {
  const std::vector<double> x = {-1, 1};
  const auto s = summarize(x);
  EXPECT_EQ(s.mean, 0);
  EXPECT_DOUBLE_EQ(s.stdev, std::sqrt(2.0));
  EXPECT_EQ(s.cv, 0);
}

TEST(Summarize, CvUsesMagnitudeOfMean) {
  const std::vector<double> x = {-2, -4};
  const auto s = summarize(x);
  EXPECT_DOUBLE_EQ(s.cv, std::sqrt(2.0) / 3.0);
}

TEST(Summarize, SmallSpreadOnLargeValuesKeepsItsStdev) {
  // Timings of the same kernel: the spread is tiny next to the mean; a one-pass
  // sum-of-squares formula loses it completely here.
  const std::vector<double> x = {1e9 + 1, 1e9 + 2, 1e9 + 3};
  const auto s = summarize(x);
  EXPECT_DOUBLE_EQ(s.mean, 1e9 + 2);
  EXPECT_NEAR(s.stdev, 1.0, 1e-9);
}

TEST(Summarize, IdenticalSamples) {
  const std::vector<double> x(50, 2.5e12);
  const auto s = summarize(x);
  EXPECT_EQ(s.stdev, 0);
  EXPECT_EQ(s.cv, 0);
  EXPECT_EQ(s.median_ci_low, 2.5e12);
  EXPECT_EQ(s.median_ci_high, 2.5e12);
}

TEST(Summarize, CiLevelIsPassedOn) {
  std::vector<double> x(10);
  std::iota(x.begin(), x.end(), 1.0);
  const auto s = summarize(x, 0.80);
  EXPECT_EQ(s.median_ci_low, 3);
  EXPECT_EQ(s.median_ci_high, 8);
}

TEST(Summarize, LargeRandomSampleIsConsistent) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal(100.0, 5.0);
  std::vector<double> x(100'000);
  for (double& v : x) v = normal(rng);
  const auto s = summarize(x);
  EXPECT_NEAR(s.mean, 100.0, 0.1);
  EXPECT_NEAR(s.stdev, 5.0, 0.1);
  EXPECT_NEAR(s.median, 100.0, 0.1);
  EXPECT_NEAR(s.p05, 100.0 - 1.645 * 5, 0.2);
  EXPECT_NEAR(s.p95, 100.0 + 1.645 * 5, 0.2);
  EXPECT_LE(s.median_ci_low, s.median);
  EXPECT_GE(s.median_ci_high, s.median);
  EXPECT_LT(s.median_ci_high - s.median_ci_low, 0.2);
  EXPECT_GE(s.median_ci_level, 0.95);
}

TEST(Summarize, ShuffledOneToThousand) {
  // Large enough that order statistics are selected rather than sorted.
  std::vector<double> x(1000);
  std::iota(x.begin(), x.end(), 1.0);
  std::shuffle(x.begin(), x.end(), std::mt19937_64(3));
  const auto s = summarize(x);
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.max, 1000);
  EXPECT_DOUBLE_EQ(s.mean, 500.5);
  EXPECT_DOUBLE_EQ(s.median, 500.5);
  EXPECT_DOUBLE_EQ(s.p05, 50.95);   // h = 999 * 0.05 = 49.95 -> 50 + 0.95
  EXPECT_DOUBLE_EQ(s.p95, 950.05);  // h = 949.05 -> 950 + 0.05
  const auto r = median_ci_ranks(1000);
  EXPECT_EQ(s.median_ci_low, static_cast<double>(r.lower));
  EXPECT_EQ(s.median_ci_high, static_cast<double>(r.upper));
  // Exact sums of C(1000, j): l = 469 covers 0.95370880, l = 470 only 0.94632215.
  EXPECT_EQ(r.lower, 469u);
  EXPECT_EQ(r.upper, 532u);
  EXPECT_NEAR(r.coverage, 0.9537088026395019, 1e-13);
}

TEST(Summarize, SelectionMatchesFullSort) {
  std::mt19937_64 rng(11);
  std::lognormal_distribution<double> skewed(0.0, 1.0);
  for (std::size_t n : {2u, 3u, 63u, 64u, 65u, 66u, 100u, 257u, 1001u, 5000u}) {
    SCOPED_TRACE(n);
    std::vector<double> x(n);
    for (double& v : x) v = std::round(skewed(rng) * 4) / 4;  // with ties
    std::vector<double> sorted = x;
    std::sort(sorted.begin(), sorted.end());
    const auto s = summarize(x, 0.9);
    EXPECT_EQ(s.min, sorted.front());
    EXPECT_EQ(s.max, sorted.back());
    EXPECT_EQ(s.median, percentile_sorted(sorted, 0.5));
    EXPECT_EQ(s.p05, percentile_sorted(sorted, 0.05));
    EXPECT_EQ(s.p95, percentile_sorted(sorted, 0.95));
    const auto r = median_ci_ranks(n, 0.9);
    EXPECT_EQ(s.median_ci_low, sorted[r.lower - 1]);
    EXPECT_EQ(s.median_ci_high, sorted[r.upper - 1]);
  }
}

TEST(Summarize, NanDoesNotBreakSorting) {
  // Never expected from a probe, but sorting with NaN must not be undefined behaviour.
  const std::vector<double> x = {3, NAN, 1, 2};
  const auto s = summarize(x);
  EXPECT_EQ(s.n, 4u);
  EXPECT_EQ(s.min, 1);
  EXPECT_TRUE(std::isnan(s.mean));
}

}  // namespace
}  // namespace assay
