#pragma once
// results.csv: one row per measurement with its statistics and verdict, for
// spreadsheets and scripts. A pure function of the bundle.

#include <string>
#include <string_view>
#include <vector>

#include "reports/report_input.h"

namespace assay {

/// The header row, in English in every language (it is read by programs): node, probe,
/// subject, key, unit, value, value_rule, n, min, median, max, mean, stdev, cv, p05,
/// p95, median_ci_low, median_ci_high, median_ci_level, verdict, rated, ratio,
/// criterion, rated_source, fleet_outlier (docs/reports.md).
const std::vector<std::string_view>& csv_columns();

/// RFC 4180: CRLF line ends, fields with a comma, quote or line break in double quotes
/// (quotes doubled). Figures in base SI units, printed in their shortest form that reads
/// back to the same double. A result with no metrics (skipped, failed) has one row with
/// an empty key and its verdict.
std::string render_csv(const ReportInput& input);

}  // namespace assay
