#include "reports/report_markdown.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "reports/report_fixture.h"

namespace assay {
namespace {

TEST(ReportMarkdown, MatchesTheGoldenReport) {
  testing::expect_matches_golden(render_markdown(testing::fixed_summary(), testing::fixed_inventory()),
                                 "report.md");
}

TEST(ReportMarkdown, MatchesTheGoldenFleetReport) {
  testing::expect_matches_golden(render_markdown(testing::fleet_summary(), testing::fleet_inventory()),
                                 "report_fleet.md");
}

TEST(ReportMarkdown, FleetReportNamesMissingNodesOutliersAndBadLinks) {
  const Summary s = testing::fleet_summary();
  const std::string md = render_markdown(s, testing::fleet_inventory());
  EXPECT_NE(md.find("| 3 | **gpu-020** | **missing** |"), std::string::npos);
  const auto fleet = md.find("## Fleet");
  ASSERT_NE(fleet, std::string::npos);
  EXPECT_NE(md.find("**gpu-019 cpu**", fleet), std::string::npos);
  const auto links = md.find("## Links");
  ASSERT_NE(links, std::string::npos);
  EXPECT_LT(fleet, links);
  EXPECT_LT(links, md.find("## Verdicts"));
  EXPECT_NE(md.find("### Latency"), std::string::npos);
  // Both ends of the bad link, for the rated figure and for the fleet median.
  EXPECT_NE(md.find("- **FAIL** gpu-018 -> gpu-019 `interconnect.p2p.bandwidth` (reported by gpu-018): 3 GB/s vs "
                    "rated 12.5 GB/s"),
            std::string::npos);
  EXPECT_NE(md.find("3 GB/s vs fleet median"), std::string::npos);
  EXPECT_NE(md.find("gpu-018 <-> gpu-019 `interconnect.p2p.latency`"), std::string::npos);
  EXPECT_NE(md.find("**3 GB/s**"), std::string::npos);  // the cell in the matrix
  EXPECT_FALSE(s.accepted);
}

TEST(ReportMarkdown, LargeFleetsListTheWorstPairsInsteadOfAMatrix) {
  Summary s;
  s.plan_name = "big";
  LinkMatrix m;
  const std::size_t n = 40;
  for (std::size_t i = 0; i < n; ++i) {
    m.nodes.push_back(fmt::format("node-{:03}", i));
    s.nodes.push_back({m.nodes.back(), i == 7 ? "missing" : "ok"});
  }
  m.latency = m.bandwidth = m.bibandwidth =
      LinkMatrix::Grid(n, std::vector<std::optional<double>>(n));
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      if (i != j) m.bandwidth[i][j] = (i == 3 && j == 30) ? 1e9 : 12e9 + static_cast<double>(i + j);
    }
  }
  s.links = m;
  const std::string md = render_markdown(s, Json());
  EXPECT_NE(md.find("40: 39 ok, 1 missing (see Nodes)"), std::string::npos);
  EXPECT_NE(md.find("40 nodes are too many for a readable matrix"), std::string::npos);
  EXPECT_NE(md.find("### Bandwidth: the 20 worst of 1560 pairs"), std::string::npos);
  EXPECT_NE(md.find("| node-003 -> node-030 | 1 GB/s |"), std::string::npos);
  EXPECT_EQ(md.find("### Latency"), std::string::npos);  // nothing measured
  EXPECT_EQ(md.find("| node-000 | - |"), std::string::npos);  // no matrix rows
}

TEST(ReportMarkdown, ALimitBelowZeroIsNotPrintedAsANegativeRate) {
  Summary s = testing::fleet_summary();
  for (auto& f : s.fleet) {
    if (f.key == "interconnect.p2p.bibandwidth") f.outlier_limit = -2.9e8;
  }
  const std::string md = render_markdown(s, Json());
  EXPECT_NE(md.find("| below 0 (spread too wide) |"), std::string::npos);
  EXPECT_EQ(md.find("-290 MB/s"), std::string::npos);
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
