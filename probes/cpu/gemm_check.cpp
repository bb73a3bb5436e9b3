#include "probes/cpu/gemm_check.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace assay {
namespace {

// SplitMix64 (Steele, Lea, Flood 2014): a tiny, well-mixed generator, enough to spread
// the sampled entries over the matrix.
std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// gamma(n) = n*u / (1 - n*u): the relative bound of an n-term inner product computed
// with unit roundoff u; infinite when n*u >= 1 (no bound exists).
long double gamma_bound(std::size_t n, long double unit_roundoff) {
  const long double nu = static_cast<long double>(n) * unit_roundoff;
  return nu < 1 ? nu / (1 - nu) : std::numeric_limits<long double>::infinity();
}

void require_square(std::size_t size, std::size_t n, const char* what) {
  if (size < n * n) {
    throw std::invalid_argument(
        fmt::format("gemm check: {} holds {} elements, fewer than n*n = {}", what, size, n * n));
  }
}

template <class T>
std::vector<GemmReference> references(std::span<const T> a, std::span<const T> b, std::size_t n,
                                      std::span<const GemmEntry> entries, double safety) {
  require_square(a.size(), n, "A");
  require_square(b.size(), n, "B");
  const long double unit_roundoff = std::numeric_limits<T>::epsilon() / 2.0L;
  const long double reference_roundoff = std::numeric_limits<long double>::epsilon() / 2.0L;
  const long double bound = static_cast<long double>(safety) * gamma_bound(n, unit_roundoff) +
                            gamma_bound(n, reference_roundoff);
  std::vector<GemmReference> refs;
  refs.reserve(entries.size());
  for (const GemmEntry& e : entries) {
    if (e.row >= n || e.column >= n) {
      throw std::invalid_argument(fmt::format(
          "gemm check: entry ({}, {}) outside an {} x {} matrix", e.row, e.column, n, n));
    }
    long double sum = 0, magnitude = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const long double product = static_cast<long double>(a[e.row * n + k]) *
                                  static_cast<long double>(b[k * n + e.column]);
      sum += product;
      magnitude += std::fabs(product);
    }
    refs.push_back({e, sum, static_cast<double>(bound * magnitude)});
  }
  return refs;
}

template <class T>
GemmCheck check(std::span<const T> c, std::size_t n, std::span<const GemmReference> refs) {
  require_square(c.size(), n, "C");
  constexpr int digits = std::numeric_limits<T>::max_digits10;
  GemmCheck result;
  for (const GemmReference& ref : refs) {
    const T got = c[ref.entry.row * n + ref.entry.column];
    const double error = static_cast<double>(std::fabs(static_cast<long double>(got) - ref.value));
    ++result.checked;
    // Written so that NaN fails: it compares false with everything.
    const bool within = error <= ref.tolerance;
    const double fraction =
        ref.tolerance > 0 ? error / ref.tolerance : (error == 0 ? 0.0 : INFINITY);
    if (within) {
      result.worst_error = std::max(result.worst_error, error);
      result.worst_fraction = std::max(result.worst_fraction, fraction);
      continue;
    }
    ++result.failures;
    result.worst_error = std::isnan(error) ? INFINITY : std::max(result.worst_error, error);
    result.worst_fraction =
        std::isnan(fraction) ? INFINITY : std::max(result.worst_fraction, fraction);
    if (result.first_failure.empty()) {
      result.first_failure = fmt::format(
          "C[row {}, column {}] = {:.{}g} but the reference is {:.{}g} (|difference| {:.3g} > "
          "tolerance {:.3g})",
          ref.entry.row, ref.entry.column, static_cast<double>(got), digits,
          static_cast<double>(ref.value), digits, error, ref.tolerance);
    }
  }
  return result;
}

}  // namespace

std::vector<GemmEntry> sample_gemm_entries(std::size_t n, std::size_t count, std::uint64_t seed) {
  std::vector<GemmEntry> entries;
  if (n == 0 || count == 0) return entries;
  if (count >= n * n) {
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < n; ++j) entries.push_back({i, j});
    }
    return entries;
  }
  entries = {{0, 0}, {0, n - 1}, {n - 1, 0}, {n - 1, n - 1}};
  entries.resize(std::min(count, entries.size()));
  std::uint64_t state = seed;
  while (entries.size() < count) {
    const std::uint64_t r = splitmix64(state);
    entries.push_back({static_cast<std::size_t>((r & 0xffffffffULL) % n),
                       static_cast<std::size_t>((r >> 32) % n)});
  }
  return entries;
}

std::vector<GemmReference> gemm_references(std::span<const double> a, std::span<const double> b,
                                           std::size_t n, std::span<const GemmEntry> entries,
                                           double safety) {
  return references(a, b, n, entries, safety);
}

std::vector<GemmReference> gemm_references(std::span<const float> a, std::span<const float> b,
                                           std::size_t n, std::span<const GemmEntry> entries,
                                           double safety) {
  return references(a, b, n, entries, safety);
}

void GemmCheck::merge(const GemmCheck& other) {
  checked += other.checked;
  failures += other.failures;
  worst_error = std::max(worst_error, other.worst_error);
  worst_fraction = std::max(worst_fraction, other.worst_fraction);
  if (first_failure.empty()) first_failure = other.first_failure;
}

GemmCheck check_gemm(std::span<const double> c, std::size_t n,
                     std::span<const GemmReference> references) {
  return check(c, n, references);
}

GemmCheck check_gemm(std::span<const float> c, std::size_t n,
                     std::span<const GemmReference> references) {
  return check(c, n, references);
}

}  // namespace assay
