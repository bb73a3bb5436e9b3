#pragma once
// Checking gpu.gemm's read-back entries of D against their exact references.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "probes/gpu/gemm_precision.h"

namespace assay::gpu {

struct GemmCheckResult {
  std::size_t checked = 0;
  std::size_t failures = 0;
  double worst_fraction = 0;  ///< largest |error| / tolerance (0 when every entry is exact)
  std::string first_failure;  ///< "D(5,7) = 3.5, expected 4.25 +- 0.0001 (after repetition 2)"
  bool passed() const { return failures == 0; }
};

/// References for `entries` of an m x n x k product in `precision`.
std::vector<GemmReference> gemm_references(GemmPrecision precision, std::uint64_t seed_a, std::uint64_t seed_b,
                                           std::int64_t k, const std::vector<std::pair<std::int64_t, std::int64_t>>& entries);

/// Compares every read-back (rows of `values`, warm-up first) with the references.
GemmCheckResult check_gemm_values(GemmPrecision precision, std::int64_t k,
                                  const std::vector<std::pair<std::int64_t, std::int64_t>>& entries,
                                  const std::vector<GemmReference>& references,
                                  const std::vector<std::vector<double>>& values);

}  // namespace assay::gpu
