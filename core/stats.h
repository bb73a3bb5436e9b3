#pragma once
// Statistics derived from raw samples. They are never stored without the samples.

#include <cstddef>
#include <span>

namespace assay {

/// Summary of one metric's samples.
struct SampleStats {
  std::size_t n = 0;
  double min = 0, max = 0, mean = 0, median = 0;
  double stdev = 0;  ///< sample standard deviation (n-1 in the denominator); 0 when n < 2
  double cv = 0;     ///< stdev / |mean|; 0 when the mean is 0
  double p05 = 0, p95 = 0;  ///< percentiles by linear interpolation between order statistics
  /// Distribution-free confidence interval of the median from order statistics: the
  /// narrowest symmetric pair x(l), x(n+1-l) whose binomial coverage is at least the
  /// requested level. With fewer than 6 samples no pair reaches 95%: the interval is
  /// then [min, max] and `median_ci_level` says what coverage it really has.
  double median_ci_low = 0, median_ci_high = 0;
  double median_ci_level = 0;  ///< the coverage actually achieved, e.g. 0.9785 for n=10
};

/// Order-statistic ranks (1-based) of a confidence interval for the median of n samples.
struct MedianCiRanks {
  std::size_t lower = 0;  ///< l: the interval starts at the l-th smallest sample
  std::size_t upper = 0;  ///< n+1-l
  double coverage = 0;    ///< 1 - 2 P(Binomial(n, 1/2) <= l-1)
};

/// Ranks for a median confidence interval of at least `level` coverage (see SampleStats).
MedianCiRanks median_ci_ranks(std::size_t n, double level = 0.95);

/// Percentile q in [0,1] of already sorted samples, interpolating linearly between
/// order statistics (the "type 7" rule of R and NumPy's default).
double percentile_sorted(std::span<const double> sorted, double q);

/// All statistics of `samples` (any order). Empty input gives n = 0 and zeros.
SampleStats summarize(std::span<const double> samples, double ci_level = 0.95);

}  // namespace assay
