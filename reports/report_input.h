#pragma once
// What every report renderer reads: a bundle's summary, its inventory and where each
// result sits in its journal (the raw evidence), plus the language to write in. Reports
// are pure functions of this, so `assay report DIR` redraws any of them from the bundle.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result_json.h"
#include "core/summary.h"
#include "reports/report_text.h"

namespace assay {

struct ReportInput {
  const Summary& summary;
  const Json& inventory;  ///< inventory.json; null when absent
  Lang lang = Lang::en;
  /// For summary.results[i]: its 1-based line in journal.jsonl, 0 when unknown. Empty:
  /// none known.
  std::vector<std::size_t> journal_lines;
};

/// The formats `assay report --format` renders.
enum class ReportFormat { md, html, junit, csv, json };

/// "md" | "html" | "junit" | "csv" | "json".
std::string_view report_format_name(ReportFormat format);
std::optional<ReportFormat> report_format_from_name(std::string_view name);

/// The file a run writes in its bundle for `format`: report.md, report.html, junit.xml,
/// results.csv, summary.json.
std::string_view report_file_name(ReportFormat format);

/// Renders `format`. json is summary.json itself (schema assay.summary/1).
std::string render_report(ReportFormat format, const ReportInput& input);

}  // namespace assay
