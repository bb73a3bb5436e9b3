#include "probes/cpu/gemm_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace assay {
namespace {

using ::testing::HasSubstr;

template <class T>
std::vector<T> random_matrix(std::size_t n, unsigned seed) {
  std::mt19937 engine(seed);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<T> m(n * n);
  for (auto& x : m) x = static_cast<T>(dist(engine));
  return m;
}

// C = A*B in the element type itself, summing k in the order given: an honest GEMM
// whose rounding the checker must accept.
template <class T>
std::vector<T> naive_gemm(const std::vector<T>& a, const std::vector<T>& b, std::size_t n,
                          bool backwards = false) {
  std::vector<T> c(n * n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      T sum = 0;
      for (std::size_t step = 0; step < n; ++step) {
        const std::size_t k = backwards ? n - 1 - step : step;
        sum += a[i * n + k] * b[k * n + j];
      }
      c[i * n + j] = sum;
    }
  }
  return c;
}

TEST(SampleGemmEntries, StartsWithTheCornersAndStaysInside) {
  const auto entries = sample_gemm_entries(100, 50, 7);
  ASSERT_EQ(entries.size(), 50u);
  EXPECT_EQ(entries[0].row, 0u);
  EXPECT_EQ(entries[0].column, 0u);
  EXPECT_EQ(entries[1].column, 99u);
  EXPECT_EQ(entries[2].row, 99u);
  EXPECT_EQ(entries[3].row, 99u);
  EXPECT_EQ(entries[3].column, 99u);
  for (const auto& e : entries) {
    EXPECT_LT(e.row, 100u);
    EXPECT_LT(e.column, 100u);
  }
}

TEST(SampleGemmEntries, IsDeterministicAndCoversSmallMatricesWhole) {
  const auto first = sample_gemm_entries(1000, 64, 42);
  const auto second = sample_gemm_entries(1000, 64, 42);
  ASSERT_EQ(first.size(), second.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].row, second[i].row);
    EXPECT_EQ(first[i].column, second[i].column);
  }
  EXPECT_EQ(sample_gemm_entries(5, 1000, 1).size(), 25u);
  EXPECT_TRUE(sample_gemm_entries(0, 10, 1).empty());
}

TEST(GemmCheck, AcceptsAnHonestDoubleProductInEitherSummationOrder) {
  const std::size_t n = 67;
  const auto a = random_matrix<double>(n, 1), b = random_matrix<double>(n, 2);
  const auto entries = sample_gemm_entries(n, n * n, 3);
  const auto refs = gemm_references(std::span<const double>(a), b, n, entries);
  for (bool backwards : {false, true}) {
    const auto c = naive_gemm(a, b, n, backwards);
    const GemmCheck check = check_gemm(std::span<const double>(c), n, refs);
    EXPECT_TRUE(check.passed()) << check.first_failure;
    EXPECT_EQ(check.checked, n * n);
    EXPECT_LT(check.worst_fraction, 1.0);
    EXPECT_TRUE(check.first_failure.empty());
  }
}

TEST(GemmCheck, AcceptsAnHonestFloatProduct) {
  const std::size_t n = 300;
  const auto a = random_matrix<float>(n, 4), b = random_matrix<float>(n, 5);
  const auto entries = sample_gemm_entries(n, 256, 6);
  const auto refs = gemm_references(std::span<const float>(a), b, n, entries);
  for (bool backwards : {false, true}) {
    const auto c = naive_gemm(a, b, n, backwards);
    const GemmCheck check = check_gemm(std::span<const float>(c), n, refs);
    EXPECT_TRUE(check.passed()) << check.first_failure;
    // Float accumulation really rounds: the check must see a non-zero error.
    EXPECT_GT(check.worst_error, 0.0);
  }
}

TEST(GemmCheck, NamesACorruptedEntryWithRowColumnExpectedAndGot) {
  const std::size_t n = 64;
  const auto a = random_matrix<double>(n, 7), b = random_matrix<double>(n, 8);
  const auto entries = sample_gemm_entries(n, 100, 9);
  const auto refs = gemm_references(std::span<const double>(a), b, n, entries);
  auto c = naive_gemm(a, b, n);
  const GemmEntry bad = entries[17];
  // A relative error of 1e-9 is far above double rounding but invisible to the eye.
  const double good = c[bad.row * n + bad.column];
  c[bad.row * n + bad.column] = good + 1e-9 * std::max(1.0, std::fabs(good));
  const GemmCheck check = check_gemm(std::span<const double>(c), n, refs);
  EXPECT_FALSE(check.passed());
  EXPECT_EQ(check.failures, 1u);
  EXPECT_GT(check.worst_fraction, 1.0);
  EXPECT_THAT(check.first_failure, HasSubstr("C[row " + std::to_string(bad.row) + ", column " +
                                             std::to_string(bad.column) + "]"));
  EXPECT_THAT(check.first_failure, HasSubstr("but the reference is"));
  EXPECT_THAT(check.first_failure, HasSubstr("tolerance"));
}

TEST(GemmCheck, ToleranceFollowsTheRoundingBound) {
  const std::size_t n = 128;
  const auto a = random_matrix<float>(n, 10), b = random_matrix<float>(n, 11);
  const std::vector<GemmEntry> entries{{5, 9}};
  const auto refs = gemm_references(std::span<const float>(a), b, n, entries);
  ASSERT_EQ(refs.size(), 1u);
  long double magnitude = 0;
  for (std::size_t k = 0; k < n; ++k) {
    magnitude += std::fabs(static_cast<long double>(a[5 * n + k]) * b[k * n + 9]);
  }
  const double u = std::numeric_limits<float>::epsilon() / 2.0;
  const double gamma = n * u / (1 - n * u);
  EXPECT_NEAR(refs[0].tolerance, gemm_tolerance_safety * gamma * static_cast<double>(magnitude),
              1e-6 * refs[0].tolerance);

  // Just inside passes, just outside fails.
  std::vector<float> c(n * n, 0.0F);
  const auto at = [&](double offset) {
    c[5 * n + 9] = static_cast<float>(static_cast<double>(refs[0].value) + offset);
    return check_gemm(std::span<const float>(c), n, refs);
  };
  EXPECT_TRUE(at(0.5 * refs[0].tolerance).passed());
  EXPECT_FALSE(at(2.0 * refs[0].tolerance).passed());
}

TEST(GemmCheck, NotANumberFails) {
  const std::size_t n = 64;
  const auto a = random_matrix<float>(n, 12), b = random_matrix<float>(n, 13);
  const auto entries = sample_gemm_entries(n, 16, 14);
  const auto refs = gemm_references(std::span<const float>(a), b, n, entries);
  auto c = naive_gemm(a, b, n);
  c[entries[4].row * n + entries[4].column] = std::numeric_limits<float>::quiet_NaN();
  const GemmCheck check = check_gemm(std::span<const float>(c), n, refs);
  EXPECT_FALSE(check.passed());
  EXPECT_THAT(check.first_failure, HasSubstr("nan"));
}

TEST(GemmCheck, MergeKeepsTheFirstFailureAndTheWorstFigures) {
  GemmCheck total;
  GemmCheck ok{10, 0, 1e-14, 0.1, ""};
  GemmCheck bad{10, 1, 0.5, 1e9, "C[row 1, column 2] = ..."};
  total.merge(ok);
  total.merge(bad);
  total.merge(GemmCheck{10, 1, 0.1, 5, "later"});
  EXPECT_EQ(total.checked, 30u);
  EXPECT_EQ(total.failures, 2u);
  EXPECT_EQ(total.worst_error, 0.5);
  EXPECT_EQ(total.first_failure, "C[row 1, column 2] = ...");
  EXPECT_FALSE(total.passed());
}

TEST(GemmCheck, RejectsEntriesOutsideTheMatrix) {
  const std::vector<double> a(16, 1.0), b(16, 1.0);
  const std::vector<GemmEntry> entries{{4, 0}};
  EXPECT_THROW(gemm_references(std::span<const double>(a), b, 4, entries), std::invalid_argument);
}

}  // namespace
}  // namespace assay
