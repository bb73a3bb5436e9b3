#include "reports/report_html.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "reports/report_fixture.h"
#include "reports/report_html_test_helpers.h"
#include "reports/scale_bundle.h"

#if defined(__SANITIZE_ADDRESS__)
#define ASSAY_HTML_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define ASSAY_HTML_SANITIZED 1
#endif
#endif

namespace assay {
namespace {

std::string render(const Summary& s, const Json& inventory, Lang lang = Lang::en,
                   std::vector<std::size_t> lines = {}) {
  return render_html(ReportInput{.summary = s, .inventory = inventory, .lang = lang, .journal_lines = std::move(lines)});
}

std::size_t count(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string_view::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

TEST(ReportHtml, MatchesTheGoldenReport) {
  const Summary s = testing::summary_with_power();
  testing::expect_matches_golden(render(s, testing::fixed_inventory(), Lang::en, {1, 2, 3}), "report.html");
}

TEST(ReportHtml, MatchesTheGoldenFleetReport) {
  const Summary s = testing::fleet_summary();
  std::vector<std::size_t> lines(s.results.size());
  for (std::size_t i = 0; i < lines.size(); ++i) lines[i] = i + 1;
  testing::expect_matches_golden(render(s, testing::fleet_inventory(), Lang::en, lines), "report_fleet.html");
}

TEST(ReportHtml, MatchesTheGoldenChineseReport) {
  testing::expect_matches_golden(render(testing::fleet_summary(), testing::fleet_inventory(), Lang::zh),
                                 "report_zh.html");
}

TEST(ReportHtml, ChineseHasEveryWordTranslated) {
  for (const Summary& s : {testing::summary_with_power(), testing::fleet_summary(), testing::fixed_summary()}) {
    std::set<std::string, std::less<>> missing;
    const std::string html = render_html(
        ReportInput{.summary = s, .inventory = testing::fleet_inventory(), .lang = Lang::zh, .journal_lines = {}},
        &missing);
    EXPECT_TRUE(missing.empty()) << "untranslated: " << testing::joined(missing);
    EXPECT_NE(html.find("<html lang=\"zh-CN\">"), std::string::npos);
    EXPECT_NE(html.find("验收不通过"), std::string::npos);
  }
  // The large layout has words of its own.
  const Summary big = testing::make_scale_summary(40, 50, 1);
  std::set<std::string, std::less<>> missing;
  render_html(ReportInput{.summary = big, .inventory = testing::scale_inventory(big), .lang = Lang::zh,
                          .journal_lines = {}},
              &missing);
  EXPECT_TRUE(missing.empty()) << "untranslated: " << testing::joined(missing);
}

TEST(ReportHtml, EnglishIsTheDefault) {
  const std::string html = render(testing::fixed_summary(), testing::fixed_inventory());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0), 0u);
}

TEST(ReportHtml, IsSelfContained) {
  for (const std::string& html : {render(testing::summary_with_power(), testing::fixed_inventory()),
                                  render(testing::fleet_summary(), testing::fleet_inventory(), Lang::zh)}) {
    EXPECT_EQ(html.find("<script"), std::string::npos);
    EXPECT_EQ(html.find("<link"), std::string::npos);
    EXPECT_EQ(html.find("<img"), std::string::npos);
    EXPECT_EQ(html.find("@import"), std::string::npos);
    EXPECT_EQ(html.find("@font-face"), std::string::npos);
    EXPECT_EQ(testing::external_references(html), std::vector<std::string>{});
  }
}

TEST(ReportHtml, TheReferenceScanFindsWhatWouldFetch) {
  const auto refs = testing::external_references(
      R"x(<img src="http://example.com/x.png"><a href="#ok"></a><a href='//cdn/x'></a><div style="background:url(https://x/y)"></div><img src="data:image/png;base64,AA">)x");
  EXPECT_EQ(refs, (std::vector<std::string>{"http://example.com/x.png", "//cdn/x", "https://x/y"}));
}

TEST(ReportHtml, EscapesEveryStringFromTheBundle) {
  Summary s = testing::fixed_summary();
  const std::string evil = "n<1>&\"x\"";
  s.plan_name = "<plan> & 'co'";
  s.nodes[0].name = evil;
  for (auto& r : s.results) {
    r.node = evil;
    r.notes.push_back("note <b>bold</b> & 'quoted'");
  }
  for (auto& v : s.verdicts) {
    v.node = evil;
    v.criterion += " <criterion>";
  }
  s.context.warnings.push_back("<warning>");
  s.rated[0].source = "contract <4.3> & \"annex\"";
  Json inventory = testing::fixed_inventory();
  inventory["nodes"][0]["node"] = evil;
  for (Lang lang : {Lang::en, Lang::zh}) {
    const std::string html = render(s, inventory, lang, {1, 2, 3});
    for (std::string_view raw : {std::string_view(evil), std::string_view("<plan>"), std::string_view("<b>bold"),
                                 std::string_view("<criterion>"), std::string_view("<warning>"),
                                 std::string_view("<4.3>"), std::string_view("'quoted'")}) {
      EXPECT_EQ(html.find(raw), std::string::npos) << raw;
    }
    EXPECT_NE(html.find("n&lt;1&gt;&amp;&quot;x&quot;"), std::string::npos);
    EXPECT_NE(html.find("&lt;plan&gt; &amp; &#39;co&#39;"), std::string::npos);
    EXPECT_NE(html.find("&lt;criterion&gt;"), std::string::npos);
    EXPECT_EQ(testing::tag_balance_problem(html), "");
  }
}

TEST(ReportHtml, IsWellFormed) {
  for (const std::string& html : {render(testing::summary_with_power(), testing::fixed_inventory()),
                                  render(testing::fleet_summary(), testing::fleet_inventory()),
                                  render(testing::fleet_summary(), testing::fleet_inventory(), Lang::zh),
                                  render(Summary{}, Json())}) {
    EXPECT_EQ(html.rfind("<!DOCTYPE html>\n<html lang=", 0), 0u);
    EXPECT_TRUE(html.ends_with("</body>\n</html>\n"));
    EXPECT_EQ(count(html, "<html"), 1u);
    EXPECT_EQ(count(html, "<body>"), 1u);
    EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
    EXPECT_EQ(testing::tag_balance_problem(html), "");
  }
}

TEST(ReportHtml, StartsWithTheVerdictThenFamiliesThenTraceability) {
  const std::string html = render(testing::fleet_summary(), testing::fleet_inventory());
  const auto verdict = html.find("NOT ACCEPTED");
  const auto attention = html.find("Needs attention");
  const auto context = html.find("Run context");
  const auto cpu = html.find("id=\"family-cpu\"");
  const auto interconnect = html.find("id=\"family-interconnect\"");
  const auto trace = html.find("id=\"traceability\"");
  const auto gbt = html.find("id=\"gbt46346\"");
  const auto verdicts = html.find("id=\"verdicts\"");
  const auto results = html.find("id=\"results\"");
  for (auto at : {verdict, attention, context, cpu, interconnect, trace, gbt, verdicts, results}) {
    ASSERT_NE(at, std::string::npos);
  }
  EXPECT_LT(verdict, attention);
  EXPECT_LT(attention, context);
  EXPECT_LT(context, cpu);
  EXPECT_LT(cpu, interconnect);
  EXPECT_LT(interconnect, trace);
  EXPECT_LT(trace, gbt);
  EXPECT_LT(gbt, verdicts);
  EXPECT_LT(verdicts, results);
  // FAIL and ERROR before WARN, each with how far it misses: 3 GB/s of 12.5 GB/s.
  EXPECT_NE(html.find("24.0%"), std::string::npos);
  EXPECT_NE(html.find("76.0% short"), std::string::npos);
}

TEST(ReportHtml, DrawsChartsForEveryFamilyAndTheLinkMatrix) {
  const std::string fleet = render(testing::fleet_summary(), testing::fleet_inventory());
  EXPECT_GE(count(fleet, "<svg"), 5u);
  EXPECT_NE(fleet.find("Link bandwidth (row sends to column)"), std::string::npos);
  EXPECT_NE(fleet.find("fleet median 196 GFLOP/s"), std::string::npos);
  EXPECT_NE(fleet.find("threshold 11.25 GB/s"), std::string::npos);
  EXPECT_NE(fleet.find("rated 12.5 GB/s"), std::string::npos);
  const std::string power = render(testing::summary_with_power(), testing::fixed_inventory());
  EXPECT_NE(power.find("id=\"family-power\""), std::string::npos);
  EXPECT_NE(power.find("Power over time"), std::string::npos);
  EXPECT_NE(power.find("power.rapl:package-0"), std::string::npos);
}

TEST(ReportHtml, TracesEachContractFigureToItsEvidence) {
  const std::string html = render(testing::summary_with_power(), testing::fixed_inventory(), Lang::en, {4, 5, 6});
  const auto trace = html.find("id=\"traceability\"");
  ASSERT_NE(trace, std::string::npos);
  const auto end = html.find("</section>", trace);
  const std::string section = html.substr(trace, end - trace);
  EXPECT_NE(section.find("cpu.fma.fp64"), std::string::npos);
  EXPECT_NE(section.find("gpu-017: journal.jsonl line 4"), std::string::npos);
  EXPECT_NE(section.find("summary.json: rated[0]"), std::string::npos);
  EXPECT_NE(section.find(">cpu.fma<"), std::string::npos);
}

TEST(ReportHtml, LargeFleetsBecomeDistributionsAndSummaries) {
#ifdef ASSAY_HTML_SANITIZED
  GTEST_SKIP() << "built with a sanitizer: the 10,000-node run is timed in the release build";
#else
  const Summary s = testing::make_scale_summary(10'000, 50, 1);
  const Json inventory = testing::scale_inventory(s);
  const auto start = std::chrono::steady_clock::now();
  const std::string html = render(s, inventory);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 10.0);
  RecordProperty("render_seconds", std::to_string(seconds));
  RecordProperty("bytes", std::to_string(html.size()));
  EXPECT_LT(html.size(), 64u * 1024 * 1024);
  // One path per distribution, not a rect per node.
  EXPECT_LT(count(html, "<rect"), 5000u);
  EXPECT_LT(count(html, "<tr"), 40'000u);
  EXPECT_NE(html.find("PASS and INFO verdicts per metric"), std::string::npos);
  EXPECT_NE(html.find("values, sorted"), std::string::npos);
  EXPECT_EQ(testing::tag_balance_problem(html), "");
  EXPECT_EQ(testing::external_references(html), std::vector<std::string>{});
#endif
}

}  // namespace
}  // namespace assay
