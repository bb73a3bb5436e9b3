#include <array>

#include "core/summary_file.h"

#include "reports/report_csv.h"
#include "reports/report_html.h"
#include "reports/report_input.h"
#include "reports/report_junit.h"
#include "reports/report_markdown.h"

namespace assay {
namespace {

struct FormatNames {
  ReportFormat format;
  std::string_view name;
  std::string_view file;
};

constexpr std::array<FormatNames, 5> kFormats = {{
    {ReportFormat::md, "md", "report.md"},
    {ReportFormat::html, "html", "report.html"},
    {ReportFormat::junit, "junit", "junit.xml"},
    {ReportFormat::csv, "csv", "results.csv"},
    {ReportFormat::json, "json", "summary.json"},
}};

const FormatNames& names_of(ReportFormat format) {
  for (const auto& f : kFormats) {
    if (f.format == format) return f;
  }
  return kFormats.front();  // unreachable: every enumerator is in the table
}

}  // namespace

std::string_view report_format_name(ReportFormat format) { return names_of(format).name; }

std::optional<ReportFormat> report_format_from_name(std::string_view name) {
  for (const auto& f : kFormats) {
    if (f.name == name) return f.format;
  }
  return std::nullopt;
}

std::string_view report_file_name(ReportFormat format) { return names_of(format).file; }

std::string render_report(ReportFormat format, const ReportInput& input) {
  switch (format) {
    case ReportFormat::md: return render_markdown(input);
    case ReportFormat::html: return render_html(input);
    case ReportFormat::junit: return render_junit(input);
    case ReportFormat::csv: return render_csv(input);
    case ReportFormat::json: return summary_json_text(input.summary);
  }
  return {};
}

}  // namespace assay
