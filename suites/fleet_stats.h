#pragma once
// The statistics of one fleet group: the values of one metric key across nodes (and
// their devices or links). Pure arithmetic; the rules are in docs/verdicts-and-bundle.md
// "Fleet judgement".

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "core/result.h"

namespace assay {

/// Scales the raw median absolute deviation so that it estimates the standard deviation
/// of normally distributed values (as R's mad() does): "3 MADs" is then about 3 sigma.
inline constexpr double mad_to_sigma = 1.4826;

/// The smallest spread an outlier is measured in, as a fraction of |median|: identical
/// values have a MAD of 0, and without a floor a 0.1% deviation would be "infinitely
/// many MADs" away. With the default 3 MADs, nothing within 3% of the median is an outlier.
inline constexpr double mad_floor_fraction = 0.01;

/// Fewer entries than this judge no outliers: with two, the median sits between them
/// and neither can be told from the other.
inline constexpr std::size_t min_outlier_entries = 3;

/// Spread and outliers of one group of values.
struct GroupSpread {
  std::size_t n = 0;
  double median = 0, mean = 0, min = 0, max = 0;
  double cv = 0;   ///< sample stdev / |mean|; 0 when the mean is 0 or n < 2
  double mad = 0;  ///< median absolute deviation x mad_to_sigma
  /// max(mad, mad_floor_fraction x |median|): the unit outliers are measured in.
  double outlier_unit = 0;
  /// Beyond this value on the bad side an entry is an outlier (strictly); absent below
  /// min_outlier_entries.
  std::optional<double> outlier_limit;
  std::vector<std::size_t> outliers;  ///< indices into the values, ascending
};

/// The spread of `values` (any order, at least one). Outliers are the values more than
/// `outlier_mads` x outlier_unit below the median when higher is better, above it when
/// lower is better.
GroupSpread group_spread(std::span<const double> values, Better better, double outlier_mads);

}  // namespace assay
