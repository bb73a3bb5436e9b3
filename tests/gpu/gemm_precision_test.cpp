// gpu.gemm's host-side rules: precision support by compute capability, sizes, operation
// counts, exact references and the tolerances the check applies.
#include "probes/gpu/gemm_precision.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <set>

#include "probes/gpu/gemm_check.h"

namespace assay::gpu {
namespace {

TEST(GemmPrecision, SupportFollowsComputeCapability) {
  // Turing: no TF32, BF16 or FP8 tensor cores.
  for (GemmPrecision p : {GemmPrecision::fp64, GemmPrecision::fp32, GemmPrecision::fp16, GemmPrecision::int8}) {
    EXPECT_FALSE(gemm_unsupported_reason(p, 7, 5)) << gemm_precision_name(p);
  }
  EXPECT_TRUE(gemm_unsupported_reason(GemmPrecision::tf32, 7, 5));
  EXPECT_TRUE(gemm_unsupported_reason(GemmPrecision::bf16, 7, 5));
  // A100 (8.0): everything but FP8, whose reason names what is needed.
  EXPECT_FALSE(gemm_unsupported_reason(GemmPrecision::bf16, 8, 0));
  EXPECT_FALSE(gemm_unsupported_reason(GemmPrecision::tf32, 8, 0));
  const auto fp8_on_a100 = gemm_unsupported_reason(GemmPrecision::fp8, 8, 0);
  ASSERT_TRUE(fp8_on_a100);
  EXPECT_NE(fp8_on_a100->find("8.9"), std::string::npos) << *fp8_on_a100;
  EXPECT_NE(fp8_on_a100->find("8.0"), std::string::npos) << *fp8_on_a100;
  // L40S (8.9), H100 (9.0), B200 (10.0), RTX PRO 6000 Blackwell (12.0): all of them.
  for (auto [major, minor] : {std::pair{8, 9}, std::pair{9, 0}, std::pair{10, 0}, std::pair{12, 0}}) {
    for (GemmPrecision p : kAllGemmPrecisions) {
      EXPECT_FALSE(gemm_unsupported_reason(p, major, minor)) << gemm_precision_name(p) << " " << major << "." << minor;
    }
  }
  // Volta is below what CUDA 13 supports at all.
  EXPECT_TRUE(gemm_unsupported_reason(GemmPrecision::fp32, 7, 0));
}

TEST(GemmPrecision, NamesKeysAndUnits) {
  for (GemmPrecision p : kAllGemmPrecisions) {
    EXPECT_EQ(gemm_precision_from_name(gemm_precision_name(p)), p);
  }
  EXPECT_FALSE(gemm_precision_from_name("fp4"));
  EXPECT_EQ(gemm_metric_key(GemmPrecision::bf16), "gpu.gemm.bf16");
  EXPECT_EQ(gemm_unit(GemmPrecision::int8), Unit::op_per_s);
  EXPECT_EQ(gemm_unit(GemmPrecision::fp8), Unit::flop_per_s);
  EXPECT_DOUBLE_EQ(gemm_operations(8192, 8192, 8192), 2.0 * 8192.0 * 8192.0 * 8192.0);
  EXPECT_DOUBLE_EQ(gemm_operations(2, 3, 4), 48.0);
}

TEST(GemmPrecision, OrderFitsTheDevice) {
  constexpr std::uint64_t gib = 1ULL << 30;
  const std::uint64_t workspace = 32ULL << 20;
  // 80 GB: the requested order, rounded down to a multiple of 16.
  EXPECT_EQ(gemm_order_for_device(GemmPrecision::fp64, 8192, 80 * gib, workspace), 8192);
  EXPECT_EQ(gemm_order_for_device(GemmPrecision::bf16, 8200, 80 * gib, workspace), 8192);
  // 1 GiB: three FP64 8192^2 matrices (1.5 GiB) do not fit; 4096 (384 MiB) does.
  EXPECT_EQ(gemm_order_for_device(GemmPrecision::fp64, 8192, gib, workspace), 4096);
  // FP8 inputs are 1 byte and D is BF16: 8192^2 x 4 B = 256 MiB fits.
  EXPECT_EQ(gemm_order_for_device(GemmPrecision::fp8, 8192, gib, workspace), 8192);
  EXPECT_FALSE(gemm_order_for_device(GemmPrecision::fp64, 8192, 1ULL << 20, workspace));
  EXPECT_EQ(gemm_device_bytes(GemmPrecision::int8, 1024, 0), 1024ULL * 1024 * (1 + 1 + 4));
}

// BF16 keeps the top 16 bits of an FP32: a value is exact in BF16 when the rest is zero.
bool exact_in_bf16(double value) {
  const auto f = static_cast<float>(value);
  std::uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return static_cast<double>(f) == value && (bits & 0xffffU) == 0;
}

TEST(GemmPattern, ValuesAreExactInTheirTypesAndUseTheRange) {
  std::set<double> seen;
  for (std::uint64_t i = 0; i < 4000; ++i) {
    const double v = gemm_input_value(kFloatValues, 42, i, i * 7);
    EXPECT_TRUE(exact_in_bf16(v)) << v;
    EXPECT_LE(std::fabs(v), 2.0);
    seen.insert(v);
    const double f8 = gemm_input_value(kFp8Values, 42, i, 3);
    EXPECT_EQ(f8 * 8, std::round(f8 * 8));
    EXPECT_LE(std::fabs(f8), 15.0 / 8);
    const double i8 = gemm_input_value(kInt8Values, 42, 3, i);
    EXPECT_EQ(i8, std::round(i8));
    EXPECT_GE(i8, -128);
    EXPECT_LE(i8, 127);
  }
  // Real data, not a constant: most of the 256 values occur.
  EXPECT_GT(seen.size(), 200u);
  // Different seeds and positions give different matrices.
  EXPECT_NE(gemm_input_value(kFloatValues, 1, 5, 6), gemm_input_value(kFloatValues, 2, 5, 6));
}

TEST(GemmReference, IsTheExactSumOfProducts) {
  const std::int64_t k = 300;
  const GemmReference r = gemm_reference(GemmPrecision::bf16, 11, 12, k, 4, 9);
  double sum = 0, magnitudes = 0;
  for (std::int64_t l = 0; l < k; ++l) {
    const double p = gemm_input_value(kFloatValues, 11, 4, static_cast<std::uint64_t>(l)) *
                     gemm_input_value(kFloatValues, 12, static_cast<std::uint64_t>(l), 9);
    sum += p;
    magnitudes += std::fabs(p);
  }
  EXPECT_EQ(r.value, sum);
  EXPECT_EQ(r.sum_of_magnitudes, magnitudes);
  // Multiples of 1/64^2: the sum is exact, so it is a whole number of 1/4096ths.
  EXPECT_EQ(r.value * 4096, std::round(r.value * 4096));
}

TEST(GemmTolerance, MatchesEachPrecision) {
  const GemmReference r{100.0, 2000.0};
  EXPECT_EQ(gemm_tolerance(GemmPrecision::int8, 8192, r), 0.0);
  // BF16 output: half an ulp of 100 in BF16 is 0.25; 100 x 2^-8 = 0.39 covers it.
  EXPECT_GE(gemm_tolerance(GemmPrecision::bf16, 8192, r), 0.25);
  EXPECT_LT(gemm_tolerance(GemmPrecision::bf16, 8192, r), 2.0);
  // FP16 output is finer than BF16, FP32 finer still, FP64 finest.
  EXPECT_LT(gemm_tolerance(GemmPrecision::fp16, 8192, r), gemm_tolerance(GemmPrecision::bf16, 8192, r));
  EXPECT_LT(gemm_tolerance(GemmPrecision::fp32, 8192, r), gemm_tolerance(GemmPrecision::fp16, 8192, r));
  EXPECT_LT(gemm_tolerance(GemmPrecision::fp64, 8192, r), 1e-8);
  // The accumulation term is the worst case (k u sum |a b|), so no correct result is ever
  // refused; still, an entry off by a few percent of sum |a b| (a wrong tile, a flipped
  // high bit) is caught in every floating precision.
  for (GemmPrecision p : {GemmPrecision::fp32, GemmPrecision::tf32, GemmPrecision::bf16, GemmPrecision::fp16,
                          GemmPrecision::fp8}) {
    EXPECT_LT(gemm_tolerance(p, 8192, r), 0.03 * r.sum_of_magnitudes) << gemm_precision_name(p);
  }
}

TEST(GemmCheckEntries, CornersFirstThenDistinctEntriesInRange) {
  const auto entries = gemm_check_entries(1000, 800, 64, 7);
  ASSERT_EQ(entries.size(), 64u);
  EXPECT_EQ(entries[0], (std::pair<std::int64_t, std::int64_t>{0, 0}));
  EXPECT_EQ(entries[1], (std::pair<std::int64_t, std::int64_t>{999, 799}));
  std::set<std::pair<std::int64_t, std::int64_t>> unique(entries.begin(), entries.end());
  EXPECT_EQ(unique.size(), entries.size());
  for (const auto& [row, column] : entries) {
    EXPECT_GE(row, 0);
    EXPECT_LT(row, 1000);
    EXPECT_GE(column, 0);
    EXPECT_LT(column, 800);
  }
  // A 2 x 2 matrix has only four entries to give.
  EXPECT_EQ(gemm_check_entries(2, 2, 64, 7).size(), 4u);
}

TEST(GemmCheck, PassesExactValuesAndNamesTheFirstWrongOne) {
  const std::int64_t k = 256;
  const auto entries = gemm_check_entries(256, 256, 8, 3);
  const auto references = gemm_references(GemmPrecision::fp32, 1, 2, k, entries);
  std::vector<double> right;
  for (const GemmReference& r : references) right.push_back(r.value);
  const GemmCheckResult good = check_gemm_values(GemmPrecision::fp32, k, entries, references, {right, right});
  EXPECT_TRUE(good.passed());
  EXPECT_EQ(good.checked, 16u);

  std::vector<double> wrong = right;
  wrong[3] += 1.0;
  const GemmCheckResult bad = check_gemm_values(GemmPrecision::fp32, k, entries, references, {right, wrong});
  EXPECT_FALSE(bad.passed());
  EXPECT_EQ(bad.failures, 1u);
  EXPECT_NE(bad.first_failure.find(fmt::format("D({},{})", entries[3].first, entries[3].second)), std::string::npos)
      << bad.first_failure;
  EXPECT_NE(bad.first_failure.find("after repetition 1"), std::string::npos) << bad.first_failure;

  std::vector<double> nan = right;
  nan[0] = NAN;
  EXPECT_FALSE(check_gemm_values(GemmPrecision::fp32, k, entries, references, {nan}).passed());
  // INT8 must be exact: off by one is wrong.
  const auto int_refs = gemm_references(GemmPrecision::int8, 1, 2, k, entries);
  std::vector<double> off;
  for (const GemmReference& r : int_refs) off.push_back(r.value);
  off[5] += 1;
  EXPECT_FALSE(check_gemm_values(GemmPrecision::int8, k, entries, int_refs, {off}).passed());
}

// Round to nearest even with 8 significant bits, as a BF16 store does.
float to_bf16(float x) {
  std::uint32_t bits = 0;
  std::memcpy(&bits, &x, sizeof bits);
  bits = (bits + 0x7fffU + ((bits >> 16) & 1U)) & 0xffff0000U;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

// D(row, column) as a split-K GEMM with FP32 accumulation computes it, the partial sums
// of `split` parts added either in FP32 (reduction in the compute type) or rounded to
// BF16 on every addition (INPLACE / OUTPUT_TYPE reduction, BF16 output), then stored as
// BF16.
float split_k_bf16(std::uint64_t seed_a, std::uint64_t seed_b, std::int64_t k, std::int64_t row, std::int64_t column,
                   int split, bool partials_in_output_type) {
  const std::int64_t part = k / split;
  float total = 0;
  for (int s = 0; s < split; ++s) {
    float partial = 0;
    for (std::int64_t l = s * part; l < (s + 1) * part; ++l) {
      const auto i = static_cast<std::uint64_t>(row), j = static_cast<std::uint64_t>(column),
                 inner = static_cast<std::uint64_t>(l);
      partial += static_cast<float>(gemm_input_value(kFloatValues, seed_a, i, inner) *
                                    gemm_input_value(kFloatValues, seed_b, inner, j));
    }
    total = partials_in_output_type ? to_bf16(s == 0 ? partial : total + partial) : total + partial;
  }
  return to_bf16(total);
}

TEST(GemmTolerance, CoversSplitKInTheComputeTypeButNotPartialSumsRoundedToTheOutputType) {
  // At a small order a heuristic may well split k; the module then passes over split-K
  // algorithms whose partial sums are rounded to BF16 (gemm_algorithm_within_tolerance).
  const std::int64_t k = 256;
  const int split = 4;
  const auto entries = gemm_check_entries(k, k, 256, 5);
  const auto references = gemm_references(GemmPrecision::bf16, 1, 2, k, entries);
  std::vector<double> compute_type, output_type;
  for (const auto& [row, column] : entries) {
    compute_type.push_back(split_k_bf16(1, 2, k, row, column, split, false));
    output_type.push_back(split_k_bf16(1, 2, k, row, column, split, true));
  }
  const GemmCheckResult right = check_gemm_values(GemmPrecision::bf16, k, entries, references, {compute_type});
  EXPECT_TRUE(right.passed()) << right.first_failure;
  // Correct arithmetic of that kind, yet refused: why such algorithms are not used.
  EXPECT_FALSE(check_gemm_values(GemmPrecision::bf16, k, entries, references, {output_type}).passed());

  EXPECT_FALSE(gemm_algorithm_within_tolerance(GemmPrecision::bf16, split, true));
  EXPECT_FALSE(gemm_algorithm_within_tolerance(GemmPrecision::fp16, 2, true));
  EXPECT_FALSE(gemm_algorithm_within_tolerance(GemmPrecision::fp8, 2, true));  // D is BF16
  EXPECT_TRUE(gemm_algorithm_within_tolerance(GemmPrecision::bf16, split, false));
  EXPECT_TRUE(gemm_algorithm_within_tolerance(GemmPrecision::bf16, 1, true));  // no split, no partial sums
  for (GemmPrecision p : {GemmPrecision::fp64, GemmPrecision::fp32, GemmPrecision::tf32, GemmPrecision::int8}) {
    EXPECT_TRUE(gemm_algorithm_within_tolerance(p, 8, true)) << gemm_precision_name(p);  // D in the accumulator's type
  }
}

}  // namespace
}  // namespace assay::gpu
