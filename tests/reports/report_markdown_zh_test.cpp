// report.md in Simplified Chinese: every text the renderer writes has a translation,
// recorded evidence (criteria, messages, notes) stays as recorded, numbers and units
// are the same as in English.
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "reports/report_fixture.h"
#include "reports/report_markdown.h"
#include "reports/scale_bundle.h"

namespace assay {
namespace {

std::string render_zh(const Summary& s, const Json& inventory, const Words& words) {
  return render_markdown(ReportInput{.summary = s, .inventory = inventory, .lang = Lang::zh, .journal_lines = {}},
                         words);
}

std::string missing_list(const Words& words) {
  std::string out;
  for (const auto& m : words.missing()) out += "\n  \"" + m + "\"";
  return out;
}

TEST(ReportMarkdownZh, MatchesTheGoldenReportWithNothingUntranslated) {
  const Words words(Lang::zh, markdown_translations());
  const std::string md = render_zh(testing::fixed_summary(), testing::fixed_inventory(), words);
  EXPECT_TRUE(words.missing().empty()) << "no translation for:" << missing_list(words);
  testing::expect_matches_golden(md, "report_zh.md");
}

TEST(ReportMarkdownZh, MatchesTheGoldenFleetReportWithNothingUntranslated) {
  const Words words(Lang::zh, markdown_translations());
  const std::string md = render_zh(testing::fleet_summary(), testing::fleet_inventory(), words);
  EXPECT_TRUE(words.missing().empty()) << "no translation for:" << missing_list(words);
  testing::expect_matches_golden(md, "report_fleet_zh.md");
}

TEST(ReportMarkdownZh, LargeRunsHaveNothingUntranslated) {
  const Summary s = testing::make_scale_summary(100, 50, 1);
  ASSERT_GT(s.nodes.size(), kMarkdownDetailedNodes);
  const Words words(Lang::zh, markdown_translations());
  const std::string md = render_zh(s, testing::scale_inventory(s), words);
  EXPECT_TRUE(words.missing().empty()) << "no translation for:" << missing_list(words);
  EXPECT_NE(md.find("按指标汇总的“通过”和“信息”判定"), std::string::npos);
}

TEST(ReportMarkdownZh, HeadingsAndVerdictWordsAreChineseAndEvidenceStaysAsRecorded) {
  const std::string md = render_markdown(ReportInput{.summary = testing::fixed_summary(),
                                                     .inventory = testing::fixed_inventory(),
                                                     .lang = Lang::zh,
                                                     .journal_lines = {}});
  EXPECT_EQ(md.rfind("# 验收报告：Example AIDC, lot 3\n\n**验收不通过**", 0), 0u) << md.substr(0, 200);
  EXPECT_NE(md.find("## 需要关注"), std::string::npos);
  EXPECT_NE(md.find("## GB/T 46346-2025 指标映射"), std::string::npos);
  EXPECT_NE(md.find("| 硬件规格 | 算力规模 | 7.2 |"), std::string::npos);
  // The criterion and message come from summary.json in English and are evidence.
  EXPECT_NE(md.find("- **不通过** gpu-017 memory `memory.stream.validation`: the probe's self-check must pass: "
                    "a[17] = 2, expected 3"),
            std::string::npos);
  EXPECT_NE(md.find("measured >= 0.90 x derived peak (200 GFLOP/s)"), std::string::npos);
  // Metric keys, numbers and SI units as in English.
  EXPECT_NE(md.find("| `cpu.fma.fp64` | cpu | 196 GFLOP/s |"), std::string::npos);
  EXPECT_EQ(md.find("## Verdicts"), std::string::npos);
  EXPECT_EQ(md.find("Needs attention"), std::string::npos);
}

TEST(ReportMarkdownZh, EnglishIsUnchangedByTheLanguageMachinery) {
  const Words words(Lang::en, markdown_translations());
  const std::string md = render_markdown(
      ReportInput{.summary = testing::fixed_summary(), .inventory = testing::fixed_inventory(), .lang = Lang::en,
                  .journal_lines = {}},
      words);
  EXPECT_TRUE(words.missing().empty());
  EXPECT_EQ(md, render_markdown(testing::fixed_summary(), testing::fixed_inventory()));
}

// The fmt fields of a pattern in order ("{}", "{:.1f}"); "{{" is not one.
std::vector<std::string> fields(std::string_view pattern) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '{') continue;
    if (i + 1 < pattern.size() && pattern[i + 1] == '{') {
      ++i;
      continue;
    }
    const auto end = pattern.find('}', i);
    if (end == std::string_view::npos) break;
    out.emplace_back(pattern.substr(i, end - i + 1));
    i = end;
  }
  return out;
}

TEST(ReportMarkdownZh, EveryTranslationKeepsItsPlaceholdersInOrder) {
  for (const auto table : {markdown_translations(), shared_translations()}) {
    for (const auto& t : table) {
      EXPECT_EQ(fields(t.en), fields(t.zh)) << "\"" << t.en << "\" -> \"" << t.zh << "\"";
      EXPECT_FALSE(t.zh.empty()) << t.en;
    }
  }
}

TEST(ReportMarkdownZh, NoEnglishTextIsTranslatedTwice) {
  const auto table = markdown_translations();
  for (std::size_t i = 0; i < table.size(); ++i) {
    for (std::size_t j = i + 1; j < table.size(); ++j) EXPECT_NE(table[i].en, table[j].en);
    for (const auto& shared : shared_translations()) {
      EXPECT_NE(table[i].en, shared.en) << "in both the markdown and the shared table";
    }
  }
}

}  // namespace
}  // namespace assay
