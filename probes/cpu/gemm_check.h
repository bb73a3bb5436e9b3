#pragma once
// Checks a GEMM result C = A*B (row-major, n x n) on sampled entries against a
// reference computed in extended precision, with a tolerance from the rounding-error
// bound of an inner product, so that a correct library can never fail and a wrong
// entry is named with its row, column, expected and obtained values.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace assay {

/// One entry of C.
struct GemmEntry {
  std::size_t row = 0;
  std::size_t column = 0;
};

/// `count` entries of an n x n matrix: the four corners first (they catch edge
/// handling of blocked kernels), then pseudo-random ones drawn from `seed`. Fewer when
/// the matrix has fewer entries.
std::vector<GemmEntry> sample_gemm_entries(std::size_t n, std::size_t count, std::uint64_t seed);

/// The reference for one entry of C and how far a correct result may be from it.
struct GemmReference {
  GemmEntry entry;
  long double value = 0;  ///< sum_k a_ik b_kj in extended precision
  double tolerance = 0;   ///< largest |c_ij - value| a correct GEMM can produce
};

/// Safety factor on the rounding bound (the bound is already rigorous; the factor only
/// absorbs a library that rounds its output slightly differently, never a wrong entry).
inline constexpr double gemm_tolerance_safety = 2.0;

/// References for `entries` of C = A*B, A and B row-major n x n. The tolerance is
/// safety * gamma(n) * sum_k |a_ik b_kj| with gamma(n) = n*u / (1 - n*u) and u the unit
/// roundoff of the element type (Higham, Accuracy and Stability of Numerical
/// Algorithms, 3.1), which holds in any summation order and with or without fused
/// multiply-adds, plus the reference's own rounding bound in long double.
std::vector<GemmReference> gemm_references(std::span<const double> a, std::span<const double> b,
                                           std::size_t n, std::span<const GemmEntry> entries,
                                           double safety = gemm_tolerance_safety);
std::vector<GemmReference> gemm_references(std::span<const float> a, std::span<const float> b,
                                           std::size_t n, std::span<const GemmEntry> entries,
                                           double safety = gemm_tolerance_safety);

/// The outcome of comparing C with the references.
struct GemmCheck {
  std::size_t checked = 0;    ///< entries compared
  std::size_t failures = 0;   ///< entries outside their tolerance (NaN counts)
  double worst_error = 0;     ///< largest |c - reference|
  double worst_fraction = 0;  ///< largest |c - reference| / tolerance (0 when tolerance is 0)
  std::string first_failure;  ///< "C[row 3, column 7] = ... but the reference is ... (...)"

  bool passed() const { return failures == 0 && checked > 0; }
  /// Combines a check of another call (its worst figures and first failure).
  void merge(const GemmCheck& other);
};

/// Compares the referenced entries of C (row-major, n x n) with their references.
GemmCheck check_gemm(std::span<const double> c, std::size_t n,
                     std::span<const GemmReference> references);
GemmCheck check_gemm(std::span<const float> c, std::size_t n,
                     std::span<const GemmReference> references);

}  // namespace assay
