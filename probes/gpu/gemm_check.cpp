#include "probes/gpu/gemm_check.h"

#include <fmt/format.h>

#include <cmath>

namespace assay::gpu {

std::vector<GemmReference> gemm_references(GemmPrecision precision, std::uint64_t seed_a, std::uint64_t seed_b,
                                           std::int64_t k, const std::vector<std::pair<std::int64_t, std::int64_t>>& entries) {
  std::vector<GemmReference> references;
  references.reserve(entries.size());
  for (const auto& [row, column] : entries) {
    references.push_back(gemm_reference(precision, seed_a, seed_b, k, row, column));
  }
  return references;
}

GemmCheckResult check_gemm_values(GemmPrecision precision, std::int64_t k,
                                  const std::vector<std::pair<std::int64_t, std::int64_t>>& entries,
                                  const std::vector<GemmReference>& references,
                                  const std::vector<std::vector<double>>& values) {
  GemmCheckResult result;
  for (std::size_t readback = 0; readback < values.size(); ++readback) {
    const std::vector<double>& row = values[readback];
    for (std::size_t e = 0; e < entries.size() && e < references.size(); ++e) {
      ++result.checked;
      const double tolerance = gemm_tolerance(precision, k, references[e]);
      const double measured = e < row.size() ? row[e] : NAN;
      const double error = std::fabs(measured - references[e].value);
      // NaN compares false, so the negation catches it as a failure.
      if (!(error <= tolerance)) {
        if (result.failures++ == 0) {
          result.first_failure = fmt::format("D({},{}) = {:.9g}, expected {:.9g} +- {:.3g} ({})", entries[e].first,
                                             entries[e].second, measured, references[e].value, tolerance,
                                             readback == 0 ? std::string("after the warm-up")
                                                           : fmt::format("after repetition {}", readback));
        }
        continue;
      }
      if (tolerance > 0) result.worst_fraction = std::max(result.worst_fraction, error / tolerance);
    }
  }
  return result;
}

}  // namespace assay::gpu
