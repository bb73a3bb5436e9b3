#include "reports/verdict_table.h"

#include <gtest/gtest.h>

#include "reports/report_fixture.h"

namespace assay {
namespace {

TEST(TextTable, PadsColumnsAndAlignsRight) {
  const std::string t = render_text_table({"A", "NUMBER"}, {{"long cell", "1"}, {"x", "12345"}}, {false, true});
  EXPECT_EQ(t, "A          NUMBER\nlong cell       1\nx           12345\n");
}

TEST(TextTable, CountsUtf8CharactersAsOneColumn) {
  const std::string t = render_text_table({"A", "B"}, {{"µs", "x"}, {"ab", "y"}});
  EXPECT_EQ(t, "A   B\nµs  x\nab  y\n");
}

TEST(VerdictTable, MatchesTheGoldenTable) {
  const Summary s = testing::fixed_summary();
  testing::expect_matches_golden(render_verdict_table(s.verdicts), "verdict_table.txt");
}

TEST(MetricTable, MatchesTheGoldenTable) {
  const Summary s = testing::fixed_summary();
  testing::expect_matches_golden(render_metric_table(s.results[0]), "metric_table.txt");
}

TEST(VerdictTable, FleetSpreadIsAPercentage) {
  const Summary s = testing::fleet_summary();
  const std::string t = render_verdict_table(s.verdicts);
  const auto at = t.find("FAIL    fleet    3 nodes");
  ASSERT_NE(at, std::string::npos) << t;
  const std::string line = t.substr(at, t.find('\n', at) - at);
  EXPECT_NE(line.find(" 10.77% "), std::string::npos) << line;
  EXPECT_NE(line.find(" 5%   215.4%  across-node cv <= 0.05"), std::string::npos) << line;
  Verdict v;
  v.unit = Unit::ratio;
  EXPECT_EQ(format_verdict_figure(v, 0.05), "0.05");
  v.node = std::string(fleet_node);
  EXPECT_EQ(format_verdict_figure(v, 0.05), "5%");
  v.unit = Unit::second;
  EXPECT_EQ(format_verdict_figure(v, 2e-6), "2 us");
}

TEST(FormatRatio, PercentOrDash) {
  EXPECT_EQ(format_ratio(0.9876), "98.8%");
  EXPECT_EQ(format_ratio(std::nullopt), "-");
}

}  // namespace
}  // namespace assay
