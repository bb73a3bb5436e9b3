#pragma once
// Small inline-SVG charts for report.html: bar/dot charts with reference lines, a
// histogram, a sorted-value curve, a heat map with a legend and a line chart. Output is
// deterministic (fixed number formatting, no ids that depend on addresses or time) so
// golden files stay stable, self-contained (no scripts, no external references) and
// bounded in size: a chart of 10,000 values is one <path>, not 10,000 elements.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/units.h"

namespace assay::svg {

/// Appends `text` with & < > " ' replaced by entities (safe in element text and in
/// attribute values alike).
void append_escaped(std::string& out, std::string_view text);
std::string escaped(std::string_view text);

/// A coordinate or length for an SVG attribute: one decimal, "-0" printed as "0".
std::string coord(double value);

/// Ticks for an axis from `low` to `high`: about `count` round values (1, 2, 5 x 10^k)
/// inside the range; empty when the range is empty or not finite.
std::vector<double> nice_ticks(double low, double high, int count = 5);

/// A tick label: the value with its unit and SI prefix, 3 significant digits ("1.5 TB/s").
std::string tick_label(double value, Unit unit);

/// A horizontal line across a chart at a value: rated figure, threshold, median, limit.
struct ReferenceLine {
  double value = 0;
  std::string label;  ///< shown at the line's end, e.g. "rated 12.5 GB/s"
  std::string colour;  ///< CSS colour of the line
  bool dashed = false;
};

/// The colours charts use, chosen to read on white paper and in greyscale print.
namespace colour {
inline constexpr std::string_view pass = "#2e7d32";
inline constexpr std::string_view warn = "#ef8f00";
inline constexpr std::string_view fail = "#c62828";
inline constexpr std::string_view neutral = "#5c6bc0";
inline constexpr std::string_view muted = "#9e9e9e";
inline constexpr std::string_view rated = "#1a237e";
inline constexpr std::string_view threshold = "#c62828";
inline constexpr std::string_view median = "#00838f";
inline constexpr std::string_view limit = "#ef8f00";
}  // namespace colour

/// One bar (or dot) of a bar chart: a label on the category axis and a value.
struct Bar {
  std::string label;
  double value = 0;
  std::string colour;  ///< fill of the bar
  bool marked = false;  ///< drawn with a heavy outline and a "!" (outliers, failures)
};

/// Vertical bars, one per item, with reference lines across them; `dots` draws a dot
/// per item instead of a bar (for figures where zero is not a meaningful base, such as
/// latency). The value axis starts at zero for bars.
struct BarChart {
  std::string title;
  Unit unit = Unit::ratio;
  std::vector<Bar> bars;
  std::vector<ReferenceLine> lines;
  bool dots = false;
};
std::string bar_chart(const BarChart& chart);

/// Many values as their sorted curve (one path: x = rank, y = value) with reference
/// lines; `marked` values (outliers) are drawn as one path of small crosses.
struct DistributionChart {
  std::string title;
  Unit unit = Unit::ratio;
  std::vector<double> values;  ///< any order; sorted by the chart
  std::vector<double> marked;
  std::vector<ReferenceLine> lines;
  std::string x_label;  ///< e.g. "entries, sorted (10000)"
};
std::string distribution_chart(const DistributionChart& chart);

/// Counts of values in equal-width bins (one path for the bars), reference lines as
/// vertical lines, and the bins that hold `marked` values (outliers) drawn in red.
struct Histogram {
  std::string title;
  Unit unit = Unit::ratio;
  std::vector<double> values;
  std::vector<double> marked;
  std::vector<ReferenceLine> lines;
  std::size_t bins = 30;
};
std::string histogram(const Histogram& chart);

/// The words of a heat map's legend, in the report's language.
struct HeatMapLabels {
  std::string higher_is_better = "higher is better";
  std::string lower_is_better = "lower is better";
  std::string not_measured = "not measured";
  std::string needs_attention = "needs attention";
};

/// A square grid of optional values (row i, column j), coloured from worst to best with
/// a legend; nullopt cells are light grey, `marked` cells get a heavy outline.
struct HeatMap {
  std::string title;
  Unit unit = Unit::ratio;
  bool higher_is_better = true;
  std::vector<std::string> row_labels;
  std::vector<std::string> column_labels;
  std::vector<std::vector<std::optional<double>>> cells;
  std::vector<std::vector<bool>> marked;  ///< empty, or the shape of cells
  HeatMapLabels labels;
};
std::string heat_map(const HeatMap& chart);

/// One line of a line chart.
struct Series {
  std::string label;
  std::vector<double> x, y;
  std::string colour;
};

/// Lines over a shared x axis (power over time), with a legend.
struct LineChart {
  std::string title;
  Unit x_unit = Unit::second;
  Unit y_unit = Unit::ratio;
  std::vector<Series> series;
};
std::string line_chart(const LineChart& chart);

/// The n-th of a fixed palette of distinguishable line colours.
std::string_view series_colour(std::size_t n);

}  // namespace assay::svg
