#pragma once
// Text tables for people: the verdict table `assay run` prints, and the figure table
// `assay probe` prints. Columns are padded to the widest cell.

#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/summary.h"
#include "core/verdict.h"

namespace assay {

/// A plain text table with a header row; `right_aligned[i]` right-aligns column i.
std::string render_text_table(const std::vector<std::string>& header,
                              const std::vector<std::vector<std::string>>& rows,
                              const std::vector<bool>& right_aligned = {});

/// STATUS  NODE  SUBJECT  METRIC  MEASURED  RATED  RATIO  CRITERION / NOTE
std::string render_verdict_table(std::span<const Verdict> verdicts);

/// METRIC  SUBJECT  VALUE  MEDIAN 95% CI  CV  N for one probe result.
std::string render_metric_table(const ProbeResult& result);

/// A verdict's measured or rated figure for people: the cv of a fleet spread verdict
/// (node "fleet") as a percentage ("10.77%"), anything else with its unit.
std::string format_verdict_figure(const Verdict& verdict, double value);

/// "1.2%" style ratio, "-" when absent.
std::string format_ratio(const std::optional<double>& ratio);

/// How bad a status is, for sorting, colouring and "worst of": FAIL 5 > ERROR 4 >
/// WARN 3 > SKIP 2 > INFO 1 > PASS 0.
int verdict_status_severity(VerdictStatus status);

}  // namespace assay
