#include "reports/report_markdown.h"

#include <gtest/gtest.h>

#include "reports/report_fixture.h"

namespace assay {
namespace {

TEST(ReportMarkdown, MatchesTheGoldenReport) {
  testing::expect_matches_golden(render_markdown(testing::fixed_summary(), testing::fixed_inventory()),
                                 "report.md");
}

TEST(ReportMarkdown, StartsWithTheVerdictAndWhatNeedsAttention) {
  const std::string md = render_markdown(testing::fixed_summary(), testing::fixed_inventory());
  EXPECT_EQ(md.rfind("# Acceptance report: Example AIDC, lot 3\n\n**NOT ACCEPTED**", 0), 0u) << md.substr(0, 200);
  const auto attention = md.find("## Needs attention");
  ASSERT_NE(attention, std::string::npos);
  EXPECT_LT(attention, md.find("## Verdicts"));
  EXPECT_NE(md.find("a[17] = 2, expected 3"), std::string::npos);
}

TEST(ReportMarkdown, EscapesPipesInCells) {
  Summary s = testing::fixed_summary();
  s.verdicts[0].source = "contract | annex";
  const std::string md = render_markdown(s, Json());
  EXPECT_NE(md.find("contract \\| annex"), std::string::npos);
}

TEST(ReportMarkdown, WorksWithoutInventory) {
  const std::string md = render_markdown(testing::fixed_summary(), Json());
  EXPECT_NE(md.find("## Results"), std::string::npos);
}

}  // namespace
}  // namespace assay
