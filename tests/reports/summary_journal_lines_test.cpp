// summary.json's "journal_lines" (each result's line in journal.jsonl, so reports need
// not read the journal): written on one line by both writers, read by both readers,
// absent in older bundles, and a wrong one named.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/result_json.h"
#include "core/summary_file.h"
#include "reports/report_fixture.h"

namespace assay {
namespace {

Summary with_lines() {
  Summary s = testing::fleet_summary();
  s.journal_lines.resize(s.results.size());
  for (std::size_t i = 0; i < s.journal_lines.size(); ++i) s.journal_lines[i] = 2 * i + 1;
  s.journal_lines.back() = 0;  // a result the journal does not have
  return s;
}

// What each reader makes of `text`: the line-layout reader and the whole-document one.
std::vector<Expected<Summary>> read_both(const std::string& text) {
  std::vector<Expected<Summary>> out;
  out.push_back(read_summary_text(text, "summary.json"));
  const Json json = Json::parse(text, nullptr, false);
  out.push_back(summary_from_json(json, "summary.json"));
  return out;
}

TEST(SummaryJsonJournalLines, RoundTripThroughEveryLayout) {
  const Summary s = with_lines();
  ASSERT_GE(s.results.size(), 2u);
  const std::string line_layout = summary_json_text(s);
  const std::string compact = "\n  \"journal_lines\": " + Json(s.journal_lines).dump() + "\n}\n";
  EXPECT_TRUE(line_layout.ends_with(compact)) << "one line after the results";
  EXPECT_EQ(Json::parse(line_layout), to_json(s));
  for (const std::string& text : {line_layout, to_json(s).dump(2), to_json(s).dump()}) {
    for (auto& back : read_both(text)) {
      ASSERT_TRUE(back.ok()) << back.error().message;
      EXPECT_EQ(back->journal_lines, s.journal_lines);
    }
  }
}

TEST(SummaryJsonJournalLines, AbsentInOlderBundlesIsEmpty) {
  const Summary s = testing::fleet_summary();
  ASSERT_TRUE(s.journal_lines.empty());
  const std::string text = summary_json_text(s);
  EXPECT_EQ(text.find("journal_lines"), std::string::npos) << "nothing written when unknown";
  for (auto& back : read_both(text)) {
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_TRUE(back->journal_lines.empty());
  }
}

TEST(SummaryJsonJournalLines, AWrongLengthOrANonIntegerIsNamed) {
  const Summary s = with_lines();
  const std::string expected = "summary.json.journal_lines: expected an array of " + std::to_string(s.results.size()) +
                               " non-negative integers (each result's line in journal.jsonl, 0 where it has none), "
                               "one per entry of 'results'";
  const auto replaced = [&](const Json& lines) {
    Json j = to_json(s);
    j["journal_lines"] = lines;
    return j;
  };
  std::vector<Json> bad = {Json::array({1}), Json("1,2"), Json::object()};
  for (const Json& wrong : {Json(-1), Json(1.5), Json("3"), Json(nullptr)}) {
    Json lines = s.journal_lines;
    lines[0] = wrong;
    bad.push_back(lines);
  }
  for (const Json& lines : bad) {
    const Json j = replaced(lines);
    // The line layout too: the member is swapped in the text the writer makes.
    std::string text = summary_json_text(s);
    const auto at = text.find("\n  \"journal_lines\": ");
    ASSERT_NE(at, std::string::npos);
    text = text.substr(0, at) + "\n  \"journal_lines\": " + lines.dump() + "\n}\n";
    for (const std::string& t : {text, j.dump(2)}) {
      for (auto& back : read_both(t)) {
        ASSERT_FALSE(back.ok()) << lines.dump();
        EXPECT_EQ(back.error().message, expected) << lines.dump();
      }
    }
  }
}

}  // namespace
}  // namespace assay
