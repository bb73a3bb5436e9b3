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

TEST(FormatRatio, PercentOrDash) {
  EXPECT_EQ(format_ratio(0.9876), "98.8%");
  EXPECT_EQ(format_ratio(std::nullopt), "-");
}

}  // namespace
}  // namespace assay
