#include "reports/report_markdown.h"

#include <chrono>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "reports/report_fixture.h"
#include "reports/scale_bundle.h"

#if defined(__SANITIZE_ADDRESS__)
#define ASSAY_MD_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define ASSAY_MD_SANITIZED 1
#endif
#endif

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

TEST(ReportMarkdown, AlwaysHasTheGbt46346SectionAndSaysItIsAssaysReading) {
  const std::string md = render_markdown(testing::fixed_summary(), testing::fixed_inventory());
  const auto section = md.find("## GB/T 46346-2025 indicator mapping");
  ASSERT_NE(section, std::string::npos);
  EXPECT_NE(md.find("assay's reading", section), std::string::npos);
  EXPECT_NE(md.find("| hardware specification | compute scale | 7.2 |", section), std::string::npos);
  EXPECT_NE(md.find("- total cpu.fma.fp64: 196 GFLOP/s (nodes: 1)", section), std::string::npos);
  EXPECT_NE(md.find("**7.7 training performance**: not measured by assay", section), std::string::npos);
  const std::string empty = render_markdown(Summary{}, Json());
  EXPECT_NE(empty.find("## GB/T 46346-2025 indicator mapping"), std::string::npos);
}

std::size_t count_of(std::string_view text, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

TEST(ReportMarkdown, LargeRunsListEveryVerdictButPassAndInfoAndSummariseTheRest) {
  const Summary s = testing::make_scale_summary(200, 50, 1);
  ASSERT_GT(s.nodes.size(), kMarkdownDetailedNodes);
  const std::string md = render_markdown(s, testing::scale_inventory(s));
  const VerdictCounts c = count_verdicts(s.verdicts);
  // One row per FAIL, WARN, SKIP, ERROR verdict in the verdicts section.
  const std::string verdicts = md.substr(md.find("## Verdicts"), md.find("## Results") - md.find("## Verdicts"));
  EXPECT_EQ(count_of(verdicts, "| FAIL |"), c.fail);
  EXPECT_EQ(count_of(verdicts, "| WARN |"), c.warn);
  EXPECT_EQ(count_of(verdicts, "| SKIP |"), c.skip);
  EXPECT_EQ(count_of(verdicts, "| ERROR |"), c.error);
  EXPECT_NE(verdicts.find("### PASS and INFO verdicts by metric"), std::string::npos);
  EXPECT_NE(verdicts.find("summary.json and results.csv"), std::string::npos);
  // PASS rows are summarised, not listed per node (fleet-level verdicts are listed in full).
  EXPECT_EQ(count_of(verdicts, "| PASS | node-"), 0u);
  EXPECT_NE(verdicts.find("| PASS | fleet |"), std::string::npos);
  // No per-result tables; counts per probe instead, and a pointer to every row.
  EXPECT_EQ(md.find("### cpu.fma on node-"), std::string::npos);
  EXPECT_NE(md.find("(derived on 200 nodes)"), std::string::npos);
  EXPECT_NE(md.find("probe runs on"), std::string::npos);
  EXPECT_NE(md.find("results.csv"), std::string::npos);
  // Inventory grouped by configuration, nodes listed only when missing.
  EXPECT_NE(md.find("configurations; every node's inventory is in inventory.json"), std::string::npos);
  EXPECT_EQ(md.find("| 0 | node-00000 |"), std::string::npos);
}

// 10,000 nodes x 50 metrics render in about 0.8 s (release build, one core); the run
// itself takes the scale helper close to a minute to make, so this test uses a quarter
// of it and report_scale_test.cpp renders the full size. Time and size must grow with
// the nodes at most linearly, and the size with what needs attention, not with the
// 125,000 measurements.
TEST(ReportMarkdown, ThousandsOfNodesRenderQuicklyAndStayReadable) {
#ifdef ASSAY_MD_SANITIZED
  GTEST_SKIP() << "built with a sanitizer: timing a 2,500-node render says nothing there";
#endif
  const Summary s = testing::make_scale_summary(2'500, 50, 1);
  const Json inventory = testing::scale_inventory(s);
  for (const Lang lang : {Lang::en, Lang::zh}) {
    const auto start = std::chrono::steady_clock::now();
    const std::string md = render_markdown(ReportInput{.summary = s, .inventory = inventory, .lang = lang,
                                                       .journal_lines = {}});
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(seconds, 2.5) << lang_name(lang) << ": " << seconds << " s (a quarter of the 10 s budget)";
    EXPECT_LT(md.size(), 500'000u) << lang_name(lang);
  }
}

}  // namespace
}  // namespace assay
