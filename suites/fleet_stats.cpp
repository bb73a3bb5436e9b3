#include "suites/fleet_stats.h"

#include <algorithm>
#include <cmath>

#include "core/stats.h"

namespace assay {
namespace {

double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return percentile_sorted(values, 0.5);
}

}  // namespace

GroupSpread group_spread(std::span<const double> values, Better better, double outlier_mads) {
  GroupSpread g;
  const SampleStats s = summarize(values);
  g.n = s.n;
  g.median = s.median;
  g.mean = s.mean;
  g.min = s.min;
  g.max = s.max;
  g.cv = s.cv;
  if (values.empty()) return g;

  std::vector<double> deviations;
  deviations.reserve(values.size());
  for (double v : values) deviations.push_back(std::fabs(v - g.median));
  g.mad = median_of(std::move(deviations)) * mad_to_sigma;
  g.outlier_unit = std::max(g.mad, mad_floor_fraction * std::fabs(g.median));
  if (g.n < min_outlier_entries) return g;

  const double reach = outlier_mads * g.outlier_unit;
  const bool higher = better == Better::higher;
  const double limit = higher ? g.median - reach : g.median + reach;
  g.outlier_limit = limit;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (higher ? values[i] < limit : values[i] > limit) g.outliers.push_back(i);
  }
  return g;
}

}  // namespace assay
