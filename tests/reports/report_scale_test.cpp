// Reports at scale (issue 7): every format rendered from a generated run of 10,000
// nodes x 50 metrics is complete. This checks correctness at scale, not time: how long
// rendering takes and how much memory it needs is bench/report_scale_bench.cpp's job
// (docs/scale.md). Labelled "scale" in ctest: `ctest -L scale` runs it, `-LE scale` skips it.
#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>
#include <string_view>

#include "core/result_json.h"
#include "core/summary_file.h"
#include "reports/report_input.h"
#include "reports/scale_bundle.h"

#if defined(__SANITIZE_ADDRESS__)
#define ASSAY_SCALE_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define ASSAY_SCALE_SANITIZED 1
#endif
#endif

namespace assay {
namespace {

constexpr std::size_t kNodes = 10'000;
constexpr std::size_t kMetrics = 50;

// ctest runs each TEST in a process of its own (gtest_discover_tests), and generating
// the run takes seconds: one TEST generates it once and checks every format in turn.
class ReportScale : public ::testing::Test {
 public:
  void SetUp() override {
#ifdef ASSAY_SCALE_SANITIZED
    GTEST_SKIP() << "built with a sanitizer: a 10,000-node run takes minutes and gigabytes under ASan/UBSan, "
                    "and the sanitizers' own cost says nothing about assay's; the release build runs this";
#else
    summary_ = testing::make_scale_summary(kNodes, kMetrics, 1);
    inventory_ = testing::scale_inventory(summary_);
#endif
  }
  std::string render(ReportFormat format, Lang lang) const {
    return render_report(format, ReportInput{.summary = summary_, .inventory = inventory_, .lang = lang,
                                             .journal_lines = summary_.journal_lines});
  }
  const Summary& summary() const { return summary_; }

 private:
  Summary summary_;
  Json inventory_;
};

std::size_t count(std::string_view text, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

// Records of RFC 4180 text: CRLFs outside double quotes.
std::size_t csv_records(std::string_view text) {
  std::size_t records = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '"') quoted = !quoted;
    if (!quoted && text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++records;
  }
  return records;
}

// Every generated node name ("node-" and five digits) the text mentions.
std::set<std::string> node_names_in(std::string_view text) {
  std::set<std::string> names;
  constexpr std::string_view prefix = "node-";
  for (std::size_t at = text.find(prefix); at != std::string_view::npos; at = text.find(prefix, at + 1)) {
    const std::string_view name = text.substr(at, prefix.size() + 5);
    bool digits = name.size() == prefix.size() + 5;
    for (std::size_t i = prefix.size(); digits && i < name.size(); ++i) digits = std::isdigit(static_cast<unsigned char>(name[i]));
    if (digits) names.insert(std::string(name));
  }
  return names;
}

// The nodes of every verdict a reader must see in full (not PASS, not INFO).
std::set<std::string> nodes_needing_attention(const Summary& s) {
  std::set<std::string> names;
  for (const auto& v : s.verdicts) {
    if (v.status != VerdictStatus::pass && v.status != VerdictStatus::info && v.node.starts_with("node-")) {
      names.insert(v.node);
    }
  }
  return names;
}

void expect_mentions_all(const std::set<std::string>& mentioned, const std::set<std::string>& expected,
                         std::string_view what) {
  std::size_t absent = 0;
  std::string first;
  for (const auto& name : expected) {
    if (!mentioned.count(name)) {
      if (!absent++) first = name;
    }
  }
  EXPECT_EQ(absent, 0u) << what << " leaves out " << absent << " of " << expected.size()
                        << " nodes that have a verdict other than PASS or INFO, e.g. " << first;
}

void expect_generated_run_is_large_and_mixed(const ReportScale& t) {
  const Summary& s = t.summary();
  ASSERT_EQ(s.nodes.size(), kNodes);
  std::size_t missing = 0;
  for (const auto& n : s.nodes) missing += n.status == "missing";
  EXPECT_EQ(missing, 5u);
  // Every ok node reports 50 metrics, less storage.meta's three where it was skipped.
  std::size_t skipped_meta = 0;
  for (const auto& r : s.results) skipped_meta += r.probe == "storage.meta" && r.status == ProbeStatus::skipped;
  EXPECT_EQ(testing::count_measurements(s), (kNodes - missing) * kMetrics - 3 * skipped_meta);
  const VerdictCounts c = count_verdicts(s.verdicts);
  EXPECT_GT(c.pass, s.verdicts.size() / 2) << "most verdicts PASS";
  EXPECT_GT(c.warn, 0u);
  EXPECT_GT(c.fail, 0u);
  EXPECT_GT(c.info, 0u);
  EXPECT_GT(c.skip, 0u);
  EXPECT_EQ(c.error, missing) << "one ERROR per missing node";
  EXPECT_FALSE(s.accepted);
  EXPECT_FALSE(s.fleet.empty());
  std::size_t outliers = 0;
  for (const auto& f : s.fleet) outliers += f.outliers.size();
  EXPECT_GT(outliers, 0u);
  EXPECT_FALSE(s.links) << "no link matrix at this size (docs/scale.md)";
}

void expect_csv_has_one_row_per_measurement(const ReportScale& t) {
  std::size_t expected = 1;  // the header
  for (const auto& r : t.summary().results) expected += r.metrics.empty() ? 1 : r.metrics.size();
  for (const Lang lang : {Lang::en, Lang::zh}) {
    const std::string csv = t.render(ReportFormat::csv, lang);
    EXPECT_EQ(csv_records(csv), expected) << lang_name(lang);
    EXPECT_TRUE(csv.ends_with("\r\n"));
  }
}

void expect_junit_has_one_testcase_per_verdict(const ReportScale& t) {
  const VerdictCounts c = count_verdicts(t.summary().verdicts);
  for (const Lang lang : {Lang::en, Lang::zh}) {
    const std::string xml = t.render(ReportFormat::junit, lang);
    EXPECT_EQ(count(xml, "<testcase "), t.summary().verdicts.size()) << lang_name(lang);
    EXPECT_EQ(count(xml, "<failure "), c.fail) << lang_name(lang);
    EXPECT_EQ(count(xml, "<error "), c.error) << lang_name(lang);
    EXPECT_EQ(count(xml, "<skipped"), c.skip) << lang_name(lang);
    EXPECT_TRUE(xml.ends_with("</testsuites>\n")) << lang_name(lang);
  }
}

void expect_markdown_names_every_node_that_needs_attention(const ReportScale& t) {
  const auto expected = nodes_needing_attention(t.summary());
  for (const Lang lang : {Lang::en, Lang::zh}) {
    const std::string md = t.render(ReportFormat::md, lang);
    expect_mentions_all(node_names_in(md), expected, lang == Lang::en ? "report.md (en)" : "report.md (zh)");
  }
}

void expect_html_is_one_document_naming_every_node_that_needs_attention(const ReportScale& t) {
  const auto expected = nodes_needing_attention(t.summary());
  for (const Lang lang : {Lang::en, Lang::zh}) {
    const std::string html = t.render(ReportFormat::html, lang);
    EXPECT_EQ(count(html, "<html"), 1u);
    EXPECT_EQ(count(html, "</html>"), 1u);
    EXPECT_EQ(count(html, "<script"), 0u);
    expect_mentions_all(node_names_in(html), expected, lang == Lang::en ? "report.html (en)" : "report.html (zh)");
  }
}

void expect_json_reads_back_to_the_same_run(const ReportScale& t) {
  const std::string text = t.render(ReportFormat::json, Lang::en);
  auto back = read_summary_text(text, "summary.json");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->nodes.size(), t.summary().nodes.size());
  EXPECT_EQ(back->results.size(), t.summary().results.size());
  EXPECT_EQ(testing::count_measurements(*back), testing::count_measurements(t.summary()));
  EXPECT_EQ(back->verdicts.size(), t.summary().verdicts.size());
  EXPECT_EQ(back->fleet.size(), t.summary().fleet.size());
  EXPECT_EQ(back->journal_lines, t.summary().journal_lines) << "each result's line in journal.jsonl";
}

TEST_F(ReportScale, EveryFormatIsCompleteAndJsonReadsBack) {
  expect_generated_run_is_large_and_mixed(*this);
  expect_csv_has_one_row_per_measurement(*this);
  expect_junit_has_one_testcase_per_verdict(*this);
  expect_markdown_names_every_node_that_needs_attention(*this);
  expect_html_is_one_document_naming_every_node_that_needs_attention(*this);
  expect_json_reads_back_to_the_same_run(*this);
}

}  // namespace
}  // namespace assay
