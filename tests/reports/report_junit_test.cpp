#include "reports/report_junit.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "reports/report_fixture.h"
#include "reports/xml_text.h"

namespace assay {
namespace {

std::string junit(const Summary& s, const Json& inventory, Lang lang = Lang::en) {
  return render_junit(ReportInput{.summary = s, .inventory = inventory, .lang = lang, .journal_lines = {}});
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// Runs Python's XML parser on `xml`; empty when it parses, else its complaint. nullopt:
// no python3 here.
std::optional<std::string> python_xml_complaint(const std::string& xml) {
  if (std::system("command -v python3 >/dev/null 2>&1") != 0) return std::nullopt;
  const auto dir = std::filesystem::temp_directory_path();
  const std::string file = (dir / fmt::format("assay-junit-{}.xml", ::getpid())).string();
  const std::string log = file + ".log";
  std::ofstream(file, std::ios::binary) << xml;
  const int rc = std::system(fmt::format("python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "
                                         "'{}' >'{}' 2>&1", file, log).c_str());
  std::ifstream in(log);
  std::string complaint((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(file);
  std::filesystem::remove(log);
  return rc == 0 ? std::string() : "python3 xml.dom.minidom: " + complaint;
}

void expect_well_formed(const std::string& xml) {
  const auto complaint = python_xml_complaint(xml);
  if (!complaint) GTEST_SKIP() << "python3 is not installed: cannot check the XML with a real parser";
  EXPECT_EQ(*complaint, "") << xml;
}

TEST(ReportJunit, MatchesTheGoldenFile) {
  testing::expect_matches_golden(junit(testing::fixed_summary(), testing::fixed_inventory()), "junit.xml");
}

TEST(ReportJunit, MatchesTheGoldenFleetFile) {
  testing::expect_matches_golden(junit(testing::fleet_summary(), testing::fleet_inventory()), "junit_fleet.xml");
}

TEST(ReportJunit, GoldenOutputsAreWellFormedXml) {
  expect_well_formed(junit(testing::fixed_summary(), testing::fixed_inventory()));
  expect_well_formed(junit(testing::fleet_summary(), testing::fleet_inventory(), Lang::zh));
}

TEST(ReportJunit, CountsMatchTheVerdicts) {
  const Summary s = testing::fleet_summary();
  const std::string xml = junit(s, testing::fleet_inventory());
  const VerdictCounts c = count_verdicts(s.verdicts);
  EXPECT_NE(xml.find(fmt::format("<testsuites name=\"assay: Example AIDC, lot 3\" tests=\"{}\" failures=\"{}\" "
                                 "errors=\"{}\" skipped=\"{}\"",
                                 s.verdicts.size(), c.fail, c.error, c.skip)),
            std::string::npos)
      << xml;
  EXPECT_EQ(count(xml, "<testcase "), s.verdicts.size());
  EXPECT_EQ(count(xml, "<failure "), c.fail);
  EXPECT_EQ(count(xml, "<error "), c.error);
  EXPECT_EQ(count(xml, "<skipped "), c.skip);
  // One suite per probe family, in the order the verdicts first name them.
  const auto cpu = xml.find("<testsuite name=\"cpu\"");
  const auto interconnect = xml.find("<testsuite name=\"interconnect\"");
  ASSERT_NE(cpu, std::string::npos);
  ASSERT_NE(interconnect, std::string::npos);
  EXPECT_LT(cpu, interconnect);
  EXPECT_EQ(count(xml, "<testsuite "), 2u);
  // The rated judgement and the fleet's outlier judgement of one link stay apart.
  EXPECT_NE(xml.find("classname=\"gpu-018.gpu-018-&gt;gpu-019\" name=\"interconnect.p2p.bandwidth\""),
            std::string::npos);
  EXPECT_NE(xml.find("classname=\"gpu-018.gpu-018-&gt;gpu-019\" name=\"interconnect.p2p.bandwidth (fleet outlier)\""),
            std::string::npos);
  EXPECT_NE(xml.find("measured 3 GB/s vs rated 12.5 GB/s (24.0%)"), std::string::npos);
  EXPECT_NE(xml.find("measured 3 GB/s vs fleet median 12.25 GB/s (24.5%)"), std::string::npos);
}

TEST(ReportJunit, MapsEveryStatus) {
  const std::string xml = junit(testing::fixed_summary(), testing::fixed_inventory());
  EXPECT_NE(xml.find("<testcase classname=\"gpu-017.cpu\" name=\"cpu.fma.fp64\"/>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<failure message=\"the probe&apos;s self-check must pass: a[17] = 2, expected 3\" "
                     "type=\"FAIL\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<skipped message=\"no CUDA device: driver not loaded\"/>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<property name=\"accepted\" value=\"false\"/>"), std::string::npos);
  EXPECT_NE(xml.find("<property name=\"build\" value=\"v0.1.0-test\"/>"), std::string::npos);

  Summary s = testing::fixed_summary();
  s.verdicts[0].status = VerdictStatus::warn;
  s.verdicts[1].status = VerdictStatus::error;
  s.verdicts[2].status = VerdictStatus::info;
  s.verdicts[2].message = "7 GB/s";
  s.verdicts[2].criterion = "no rated figure";
  const std::string more = junit(s, Json());
  EXPECT_NE(more.find("<system-out>WARN: measured 196 GFLOP/s vs derived 200 GFLOP/s (98.0%); measured &gt;= 0.90"),
            std::string::npos)
      << more;
  EXPECT_NE(more.find("<error message=\"the probe&apos;s self-check must pass: a[17] = 2, expected 3\" "
                      "type=\"ERROR\">"),
            std::string::npos)
      << more;
  EXPECT_NE(more.find("<system-out>INFO: no rated figure: 7 GB/s</system-out>"), std::string::npos) << more;
  EXPECT_EQ(count(more, "<failure"), 0u);
  EXPECT_EQ(count(more, "<skipped"), 0u);
}

TEST(ReportJunit, ChineseMessagesKeepJunitTagsAndStatusTypes) {
  const std::string xml = junit(testing::fleet_summary(), testing::fleet_inventory(), Lang::zh);
  EXPECT_NE(xml.find("实测 3 GB/s，额定值 12.5 GB/s（24.0%）"), std::string::npos) << xml;
  EXPECT_NE(xml.find("集群中位数"), std::string::npos);
  EXPECT_NE(xml.find("状态: 不通过"), std::string::npos);
  EXPECT_NE(xml.find("type=\"FAIL\""), std::string::npos);
  EXPECT_NE(xml.find("<testsuite name=\"cpu\""), std::string::npos);
  EXPECT_EQ(xml.find("measured 3 GB/s"), std::string::npos);
}

TEST(ReportJunit, IsDeterministic) {
  const Summary s = testing::fleet_summary();
  EXPECT_EQ(junit(s, testing::fleet_inventory()), junit(s, testing::fleet_inventory()));
}

TEST(ReportJunit, EscapesHostileStringsIntoWellFormedXml) {
  Summary s = testing::fixed_summary();
  const std::string hostile = "a<b>&\"c'\x01\x1b[31m\x7f \xff\xc0\xaf\xed\xa0\x80\xef\xbf\xbf]]><!--\r\n\t汉";
  s.plan_name = hostile;
  s.plan_file = hostile;
  for (auto& v : s.verdicts) {
    v.node = hostile;
    v.subject = hostile;
    v.message = hostile;
    v.criterion = hostile;
  }
  s.verdicts[0].key = hostile;
  const std::string xml = junit(s, Json());
  for (char c : xml) {
    const auto u = static_cast<unsigned char>(c);
    EXPECT_FALSE(u < 0x20 && c != '\n' && c != '\t') << "raw control character " << int(u);
  }
  EXPECT_EQ(xml.find("<b>"), std::string::npos);
  EXPECT_EQ(xml.find("]]>"), std::string::npos);
  EXPECT_NE(xml.find("a&lt;b&gt;&amp;&quot;c&apos;\\x01\\x1b[31m\x7f \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"),
            std::string::npos)
      << xml;
  expect_well_formed(xml);
}

TEST(XmlText, AttributesKeepLineBreaksAsReferencesTextKeepsThemRaw) {
  EXPECT_EQ(xml_attribute("a\tb\nc\rd"), "a&#9;b&#10;c&#13;d");
  EXPECT_EQ(xml_text("a\tb\nc\rd"), "a\tb\nc&#13;d");
  EXPECT_EQ(xml_text(std::string_view("\0x", 2)), "\\x00x");
}

TEST(XmlText, KeepsWellFormedUtf8AndReplacesTheRest) {
  EXPECT_EQ(xml_text("验收 ✓ 𝄞"), "验收 ✓ 𝄞");
  EXPECT_EQ(xml_text("\xc3"), "\xEF\xBF\xBD");          // cut short
  EXPECT_EQ(xml_text("\xc0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong NUL
  EXPECT_EQ(xml_text("\xf4\x90\x80\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // > U+10FFFF
  EXPECT_EQ(xml_text("\xef\xbf\xbe"), "\xEF\xBF\xBD");  // U+FFFE
}

}  // namespace
}  // namespace assay
