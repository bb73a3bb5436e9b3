#include "reports/svg_chart.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "reports/report_html_test_helpers.h"

namespace assay::svg {
namespace {

std::size_t count(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string_view::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

TEST(SvgChart, EscapesTextForElementsAndAttributes) {
  EXPECT_EQ(escaped(R"(n<1>&"x" 'y')"), "n&lt;1&gt;&amp;&quot;x&quot; &#39;y&#39;");
}

TEST(SvgChart, CoordinatesHaveOneFixedDecimal) {
  EXPECT_EQ(coord(12.0), "12");
  EXPECT_EQ(coord(12.345), "12.3");
  EXPECT_EQ(coord(-0.01), "0");
  EXPECT_EQ(coord(1.0 / 0.0), "0");
}

TEST(SvgChart, TicksAreRoundValuesInsideTheRange) {
  EXPECT_EQ(nice_ticks(0, 10, 5), (std::vector<double>{0, 2, 4, 6, 8, 10}));
  EXPECT_EQ(nice_ticks(0, 2.5e11, 5), (std::vector<double>{0, 5e10, 1e11, 1.5e11, 2e11, 2.5e11}));
  EXPECT_EQ(nice_ticks(1.7e-6, 6.9e-6, 4), (std::vector<double>{2e-6, 4e-6, 6e-6}));
  EXPECT_TRUE(nice_ticks(1, 1).empty());
  EXPECT_TRUE(nice_ticks(0, 1.0 / 0.0).empty());
}

TEST(SvgChart, TickLabelsUseSiPrefixes) {
  EXPECT_EQ(tick_label(2e11, Unit::flop_per_s), "200 GFLOP/s");
  EXPECT_EQ(tick_label(1.5e-6, Unit::second), "1.5 us");
  EXPECT_EQ(tick_label(12.5e9, Unit::byte_per_s), "12.5 GB/s");
}

TEST(SvgChart, BarChartDrawsABarPerItemAndItsReferenceLines) {
  const std::string svg = bar_chart({.title = "cpu.fma.fp64 <per node>",
                                     .unit = Unit::flop_per_s,
                                     .bars = {{"a<1>", 1.96e11, "#2e7d32", false}, {"b", 1.62e11, "#c62828", true}},
                                     .lines = {{2e11, "rated 200 GFLOP/s", "#1a237e", false},
                                               {1.8e11, "threshold 180 GFLOP/s", "#c62828", true}},
                                     .dots = false});
  EXPECT_EQ(svg.rfind("<svg class=\"chart\"", 0), 0u);
  EXPECT_TRUE(svg.ends_with("</svg>"));
  EXPECT_EQ(count(svg, "<rect"), 2u);
  EXPECT_NE(svg.find("rated 200 GFLOP/s"), std::string::npos);
  EXPECT_NE(svg.find("stroke-dasharray"), std::string::npos);
  EXPECT_NE(svg.find("cpu.fma.fp64 &lt;per node&gt;"), std::string::npos);
  EXPECT_NE(svg.find("a&lt;1&gt;"), std::string::npos);
  EXPECT_NE(svg.find("200 GFLOP/s"), std::string::npos);  // a tick
  EXPECT_EQ(assay::testing::tag_balance_problem(svg), "");
  const std::string dots = bar_chart({.title = "latency", .unit = Unit::second, .bars = {{"a", 1.8e-6, "#000", false}},
                                      .lines = {}, .dots = true});
  EXPECT_EQ(count(dots, "<circle"), 1u);
  EXPECT_EQ(count(dots, "<rect"), 0u);
}

TEST(SvgChart, OutputIsDeterministic) {
  const BarChart chart{.title = "t", .unit = Unit::watt, .bars = {{"x", 180.25, "#000", false}}, .lines = {},
                       .dots = false};
  EXPECT_EQ(bar_chart(chart), bar_chart(chart));
}

TEST(SvgChart, ManyValuesAreOnePathNotAnElementEach) {
  DistributionChart chart{.title = "10,000 values", .unit = Unit::flop_per_s, .values = {}, .marked = {9e14, 8e14},
                          .lines = {{9.895e14, "rated", "#1a237e", false}}, .x_label = "entries"};
  for (int i = 0; i < 10'000; ++i) chart.values.push_back(9.5e14 + i * 1e9);
  const std::string svg = distribution_chart(chart);
  EXPECT_EQ(count(svg, "<path"), 3u);  // axes, the curve, the outlier crosses
  EXPECT_EQ(count(svg, "<rect"), 0u);
  EXPECT_LT(svg.size(), 30'000u);
  Histogram h{.title = "h", .unit = Unit::flop_per_s, .values = chart.values, .marked = chart.marked, .lines = chart.lines,
              .bins = 30};
  const std::string hist = histogram(h);
  EXPECT_EQ(count(hist, "<rect"), 0u);
  EXPECT_NE(hist.find("fill=\"#c62828\""), std::string::npos);  // the outliers' bin
  EXPECT_LT(hist.size(), 20'000u);
  EXPECT_EQ(assay::testing::tag_balance_problem(hist), "");
}

TEST(SvgChart, HeatMapColoursCellsAndShowsALegend) {
  HeatMap m{.title = "bandwidth",
            .unit = Unit::byte_per_s,
            .higher_is_better = true,
            .row_labels = {"a", "b"},
            .column_labels = {"a", "b"},
            .cells = {{std::nullopt, 12e9}, {3e9, std::nullopt}},
            .marked = {{false, false}, {true, false}},
            .labels = {}};
  const std::string svg = heat_map(m);
  EXPECT_NE(svg.find("fill=\"#c62828\""), std::string::npos);  // the worst cell
  EXPECT_NE(svg.find("fill=\"#66bb6a\""), std::string::npos);  // the best cell
  EXPECT_NE(svg.find("stroke-width=\"3\""), std::string::npos);  // the marked one
  EXPECT_NE(svg.find("higher is better"), std::string::npos);
  EXPECT_NE(svg.find("not measured"), std::string::npos);
  EXPECT_NE(svg.find("12 GB/s"), std::string::npos);
  EXPECT_EQ(svg.find("url("), std::string::npos);
  EXPECT_EQ(assay::testing::tag_balance_problem(svg), "");
}

TEST(SvgChart, LineChartDrawsOnePathPerSeriesWithALegend) {
  LineChart chart{.title = "power.rapl:package-0", .x_unit = Unit::second, .y_unit = Unit::watt, .series = {}};
  chart.series.push_back({"gpu-017 cpu.fma", {0, 1, 2}, {60, 180, 185}, std::string(series_colour(0))});
  chart.series.push_back({"gpu-018 cpu.fma", {0, 1, 2}, {62, 178, 181}, std::string(series_colour(1))});
  const std::string svg = line_chart(chart);
  EXPECT_EQ(count(svg, "fill=\"none\" stroke=\"#1565c0\""), 1u);
  EXPECT_EQ(count(svg, "fill=\"none\" stroke=\"#c62828\""), 1u);
  EXPECT_NE(svg.find("gpu-018 cpu.fma"), std::string::npos);
  EXPECT_NE(svg.find(">2 s<"), std::string::npos);
  EXPECT_EQ(assay::testing::tag_balance_problem(svg), "");
}

TEST(SvgChart, EmptyChartsStillDrawAFrame) {
  EXPECT_EQ(assay::testing::tag_balance_problem(bar_chart({})), "");
  EXPECT_EQ(assay::testing::tag_balance_problem(distribution_chart({})), "");
  EXPECT_EQ(assay::testing::tag_balance_problem(histogram({})), "");
  EXPECT_EQ(assay::testing::tag_balance_problem(heat_map({})), "");
  EXPECT_EQ(assay::testing::tag_balance_problem(line_chart({})), "");
}

}  // namespace
}  // namespace assay::svg
