// summary.json in its element-per-line layout (core/summary_file.h): written without a
// DOM of the whole run, read element by element on every core, and read back to exactly
// what the whole-document path reads, with the same messages for a bad element.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/result_json.h"
#include "core/summary_file.h"
#include "reports/report_fixture.h"
#include "reports/scale_bundle.h"

namespace assay {
namespace {

// What the whole-document path reads from `text`, as JSON, or its error message.
std::string read_as_one_document(const std::string& text) {
  auto s = summary_from_json(Json::parse(text), "summary.json");
  return s ? to_json(*s).dump() : s.error().message;
}

std::string read_fast(const std::string& text) {
  auto s = read_summary_text(text, "summary.json");
  return s ? to_json(*s).dump() : s.error().message;
}

// The line of `text` holding the first occurrence of `needle`.
std::pair<std::size_t, std::size_t> line_of(const std::string& text, const std::string& needle) {
  const auto at = text.find(needle);
  EXPECT_NE(at, std::string::npos) << needle;
  const auto begin = text.rfind('\n', at) + 1;
  return {begin, text.find('\n', at)};
}

void expect_round_trip(const Summary& s) {
  const std::string text = summary_json_text(s);
  ASSERT_TRUE(text.ends_with("}\n"));
  // The same document as the DOM writes, only laid out differently.
  const Json parsed = Json::parse(text, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded());
  EXPECT_EQ(parsed, to_json(s));
  // One verdict, result, rated figure and fleet group a line.
  std::size_t element_lines = 0;
  for (std::size_t at = 0; (at = text.find("\n{", at)) != std::string::npos; ++at) ++element_lines;
  EXPECT_EQ(element_lines, s.verdicts.size() + s.results.size() + s.rated.size() + s.fleet.size());

  const std::string expected = read_as_one_document(text);
  EXPECT_EQ(read_fast(text), expected);
  EXPECT_EQ(read_fast(text), to_json(s).dump());
  // Older bundles (the whole summary pretty-printed) read the same through the fallback.
  EXPECT_EQ(read_fast(to_json(s).dump(2) + "\n"), expected);
  EXPECT_EQ(read_fast(to_json(s).dump()), expected);
}

TEST(SummaryFile, FixedSummaryRoundTrips) { expect_round_trip(testing::fixed_summary()); }

TEST(SummaryFile, FleetSummaryRoundTrips) { expect_round_trip(testing::fleet_summary()); }

TEST(SummaryFile, GeneratedRunRoundTrips) {
  // Big enough that every array is read on several threads; links make a link matrix.
  testing::ScaleOptions options;
  options.nodes = 200;
  options.metrics_per_node = 50;
  options.links = true;
  const Summary s = testing::make_scale_summary(options);
  ASSERT_GT(s.verdicts.size(), 5000U);
  ASSERT_TRUE(s.links.has_value());
  expect_round_trip(s);
}

TEST(SummaryFile, EmptyArraysStayInline) {
  Summary s = testing::fixed_summary();
  s.fleet.clear();
  s.rated.clear();
  const std::string text = summary_json_text(s);
  EXPECT_NE(text.find("\"fleet\": []"), std::string::npos);
  EXPECT_EQ(read_fast(text), read_as_one_document(text));
}

TEST(SummaryFile, ABadElementIsNamedAsTheWholeDocumentNamesIt) {
  const Summary s = testing::fleet_summary();
  std::string text = summary_json_text(s);
  const auto [begin, end] = line_of(text, "{\"node\":");  // the first verdict
  std::string line = text.substr(begin, end - begin);
  const auto status = line.find("\"status\":\"");
  ASSERT_NE(status, std::string::npos);
  line.insert(status + 10, "MAYBE");
  text.replace(begin, end - begin, line);
  const std::string error = read_fast(text);
  EXPECT_NE(error.find("summary.json.verdicts[0]: unknown verdict status \"MAYBE"), std::string::npos) << error;
  EXPECT_EQ(error, read_as_one_document(text));
}

TEST(SummaryFile, AMissingFieldOfAResultIsNamed) {
  const Summary s = testing::fleet_summary();
  ASSERT_GE(s.results.size(), 2U);
  std::string text = summary_json_text(s);
  const auto first = text.find("{\"schema\":\"assay.result/1\"");
  const auto second = text.find("{\"schema\":\"assay.result/1\"", first + 1);
  ASSERT_NE(second, std::string::npos);
  const auto probe = text.find("\"probe\":", second);
  text.replace(probe, 8, "\"prbe\":");
  const std::string error = read_fast(text);
  EXPECT_EQ(error, "summary.json.results[1]: missing 'probe'");
  EXPECT_EQ(error, read_as_one_document(text));
}

TEST(SummaryFile, AnyOtherLayoutOfValidJsonIsRead) {
  const Summary s = testing::fleet_summary();
  std::string text = summary_json_text(s);
  const std::string expected = read_as_one_document(text);
  // Two verdicts joined on one line, as a hand edit might leave them.
  const auto [begin, end] = line_of(text, "{\"node\":");
  ASSERT_EQ(text[end - 1], ',');
  text[end] = ' ';
  EXPECT_EQ(read_fast(text), expected);
}

TEST(SummaryFile, InvalidJsonIsNamed) {
  std::string text = summary_json_text(testing::fixed_summary());
  // A verdict's line cut short.
  const auto [begin, end] = line_of(text, "{\"node\":");
  text.erase(begin + 5, end - begin - 5);
  const std::string error = read_fast(text);
  EXPECT_TRUE(error.starts_with("summary.json is not valid JSON")) << error;
  EXPECT_TRUE(read_fast("{\"schema\": ").starts_with("summary.json is not valid JSON"));
}

TEST(SummaryFile, ReadsAFileAndNamesAMissingOne) {
  const auto dir = std::filesystem::temp_directory_path() / "assay_summary_file_test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "summary.json").string();
  const Summary s = testing::fleet_summary();
  std::ofstream(path, std::ios::binary) << summary_json_text(s);
  auto back = read_summary_file(path);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(to_json(*back), to_json(s));
  const std::string missing = (dir / "none.json").string();
  auto none = read_summary_file(missing);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find(missing), std::string::npos) << none.error().message;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace assay
