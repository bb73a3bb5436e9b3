#include <gtest/gtest.h>

#include "core/result_json.h"
#include "core/summary_file.h"
#include "reports/report_csv.h"
#include "reports/report_input.h"
#include "reports/report_junit.h"
#include "reports/report_fixture.h"

namespace assay {
namespace {

TEST(ReportFormats, NamesAndFilesRoundTrip) {
  for (const ReportFormat f :
       {ReportFormat::md, ReportFormat::html, ReportFormat::junit, ReportFormat::csv, ReportFormat::json}) {
    EXPECT_EQ(report_format_from_name(report_format_name(f)), f);
  }
  EXPECT_EQ(report_file_name(ReportFormat::md), "report.md");
  EXPECT_EQ(report_file_name(ReportFormat::html), "report.html");
  EXPECT_EQ(report_file_name(ReportFormat::junit), "junit.xml");
  EXPECT_EQ(report_file_name(ReportFormat::csv), "results.csv");
  EXPECT_EQ(report_file_name(ReportFormat::json), "summary.json");
  EXPECT_FALSE(report_format_from_name("pdf"));
  EXPECT_FALSE(report_format_from_name("MD"));
}

TEST(ReportFormats, DispatchesToEachRenderer) {
  const Summary s = testing::fixed_summary();
  const Json inventory = testing::fixed_inventory();
  const ReportInput input{.summary = s, .inventory = inventory, .lang = Lang::en, .journal_lines = {}};
  EXPECT_EQ(render_report(ReportFormat::json, input), summary_json_text(s));
  EXPECT_EQ(render_report(ReportFormat::junit, input), render_junit(input));
  EXPECT_EQ(render_report(ReportFormat::csv, input), render_csv(input));
  EXPECT_TRUE(render_report(ReportFormat::md, input).starts_with("#"));
  EXPECT_NE(render_report(ReportFormat::html, input).find("<html"), std::string::npos);
}

}  // namespace
}  // namespace assay
