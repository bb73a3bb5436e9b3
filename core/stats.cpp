#include "core/stats.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace assay {
namespace {

// ln(m!). Not std::lgamma: glibc's writes the global `signgam`, a data race when
// several threads summarize at once. Small m sums logs; large m uses Stirling's series,
// whose next term (1/(1188 m^9)) is below 1e-19 from m = 64 on.
double log_factorial(double m) {
  if (m < 64) {
    double sum = 0;
    for (double i = 2; i <= m; ++i) sum += std::log(i);
    return sum;
  }
  constexpr double half_log_two_pi = 0.91893853320467274178;
  const double inv = 1.0 / m, inv2 = inv * inv;
  const double series = inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 / 1680)));
  return m * std::log(m) - m + 0.5 * std::log(m) + half_log_two_pi + series;
}

// Up to this n, 2^-n and every binomial term are normal doubles, and summing the terms
// upwards from pmf(0) = 2^-n is exact to rounding.
constexpr std::size_t kExactLimit = 1000;

// Large n: P(Binomial(n, 1/2) <= k) for k below the mean. 2^-n underflows, so start
// from pmf(k) in the log domain and sum downwards with the ratio
// pmf(j-1)/pmf(j) = j/(n-j+1) until the terms no longer count.
double binomial_half_cdf_large(std::size_t n, std::size_t k) {
  if (k >= n) return 1.0;
  const auto nd = static_cast<double>(n);
  const auto kd = static_cast<double>(k);
  const double log_pmf = log_factorial(nd) - log_factorial(kd) - log_factorial(nd - kd) - nd * std::log(2.0);
  // Relative to pmf(k): 1 + r_k + r_k r_(k-1) + ...
  double term = 1.0, sum = 1.0;
  for (std::size_t j = k; j > 0; --j) {
    term *= static_cast<double>(j) / (nd - static_cast<double>(j) + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return std::exp(log_pmf + std::log(sum));
}

// Total order with NaN last, so that sorting never meets an inconsistent comparison.
bool less_nan_last(double a, double b) {
  if (std::isnan(a)) return false;
  if (std::isnan(b)) return true;
  return a < b;
}

}  // namespace

MedianCiRanks median_ci_ranks(std::size_t n, double level) {
  if (n == 0) return {};
  if (!(level >= 0)) level = 0;  // NaN too
  level = std::min(level, 1.0);
  const double tail = (1.0 - level) / 2;  // allowed P(B <= l-1) on each side
  // Coverage falls as l grows; find the largest l in [1, (n+1)/2] with
  // P(B <= l-1) <= tail. l = 1 always qualifies as the fallback [min, max].
  const std::size_t widest = (n + 1) / 2;
  std::size_t l = 1;
  double below = 0;  // P(B <= l-1)
  if (n <= kExactLimit) {
    // One pass upwards over the terms.
    double pmf = std::ldexp(1.0, -static_cast<int>(n));
    below = pmf;
    while (l < widest) {
      const double next_pmf = pmf * static_cast<double>(n - (l - 1)) / static_cast<double>(l);
      if (below + next_pmf > tail) break;
      pmf = next_pmf;
      below += next_pmf;
      ++l;
    }
  } else {
    // Binary search; each step sums only the terms that count.
    std::size_t hi = widest;
    while (l < hi) {
      const std::size_t mid = l + (hi - l + 1) / 2;
      if (binomial_half_cdf_large(n, mid - 1) <= tail)
        l = mid;
      else
        hi = mid - 1;
    }
    below = binomial_half_cdf_large(n, l - 1);
  }
  MedianCiRanks ranks;
  ranks.lower = l;
  ranks.upper = n + 1 - l;
  ranks.coverage = std::max(0.0, 1.0 - 2.0 * below);
  return ranks;
}

double percentile_sorted(std::span<const double> sorted, double q) {
  if (sorted.empty()) return 0;
  if (!(q >= 0)) q = 0;
  q = std::min(q, 1.0);
  const double h = static_cast<double>(sorted.size() - 1) * q;
  const auto below = static_cast<std::size_t>(std::floor(h));
  if (below + 1 >= sorted.size()) return sorted.back();
  const double fraction = h - static_cast<double>(below);
  return sorted[below] + fraction * (sorted[below + 1] - sorted[below]);
}

namespace {

// Order statistics (0-based ranks) that the percentiles and the interval read.
struct Ranks {
  std::vector<std::size_t> needed;
  void add_percentile(std::size_t n, double q) {
    const double h = static_cast<double>(n - 1) * q;
    const auto below = static_cast<std::size_t>(std::floor(h));
    needed.push_back(below);
    if (below + 1 < n) needed.push_back(below + 1);
  }
};

// Puts the values of the `ranks` (ascending, unique) in their sorted places, with
// every value before a rank no larger and every value after it no smaller. Cheaper than
// a full sort for large n: each selection only works on what lies above the last one.
void place_ranks(std::vector<double>& x, const std::vector<std::size_t>& ranks) {
  auto first = x.begin();
  for (std::size_t r : ranks) {
    const auto nth = x.begin() + static_cast<std::ptrdiff_t>(r);
    std::nth_element(first, nth, x.end(), less_nan_last);
    first = nth + 1;
  }
}

// Type-7 percentile from a vector whose needed ranks are in place.
double percentile_placed(const std::vector<double>& x, double q) {
  const double h = static_cast<double>(x.size() - 1) * q;
  const auto below = static_cast<std::size_t>(std::floor(h));
  if (below + 1 >= x.size()) return x[below];
  return x[below] + (h - static_cast<double>(below)) * (x[below + 1] - x[below]);
}

}  // namespace

SampleStats summarize(std::span<const double> samples, double ci_level) {
  SampleStats s;
  s.n = samples.size();
  if (s.n == 0) return s;
  std::vector<double> x(samples.begin(), samples.end());
  const MedianCiRanks ci = median_ci_ranks(s.n, ci_level);

  // Only a handful of order statistics are needed; for many samples, selecting them
  // is several times faster than sorting (measured in bench/stats_bench.cpp).
  if (s.n <= 64) {
    std::sort(x.begin(), x.end(), less_nan_last);
  } else {
    Ranks ranks;
    ranks.needed = {0, s.n - 1, ci.lower - 1, ci.upper - 1};
    for (double q : {0.05, 0.5, 0.95}) ranks.add_percentile(s.n, q);
    std::sort(ranks.needed.begin(), ranks.needed.end());
    ranks.needed.erase(std::unique(ranks.needed.begin(), ranks.needed.end()), ranks.needed.end());
    place_ranks(x, ranks.needed);
  }

  s.min = x.front();
  s.max = x.back();
  // Two passes (mean, then squared deviations) stay accurate when the spread is tiny
  // next to the mean, as it is for repeated timings of the same kernel.
  double sum = 0;
  for (double v : x) sum += v;
  const auto nd = static_cast<double>(s.n);
  s.mean = sum / nd;
  if (s.n >= 2) {
    double squares = 0, residual = 0;
    for (double v : x) {
      squares += (v - s.mean) * (v - s.mean);
      residual += v - s.mean;
    }
    // Corrected two-pass: removes what rounding left in the mean.
    const double variance = (squares - residual * residual / nd) / (nd - 1);
    s.stdev = std::sqrt(std::max(0.0, variance));
  }
  s.cv = s.mean != 0 ? s.stdev / std::fabs(s.mean) : 0;
  s.median = percentile_placed(x, 0.5);
  s.p05 = percentile_placed(x, 0.05);
  s.p95 = percentile_placed(x, 0.95);
  s.median_ci_low = x[ci.lower - 1];
  s.median_ci_high = x[ci.upper - 1];
  s.median_ci_level = ci.coverage;
  return s;
}

}  // namespace assay
