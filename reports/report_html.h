#pragma once
// report.html: the acceptance report as one self-contained file (no scripts, no
// network, no external styles or fonts; charts are inline SVG), readable printed to PDF.

#include <functional>
#include <set>
#include <string>

#include "reports/report_input.h"

namespace assay {

std::string render_html(const ReportInput& input);

/// render_html() that also hands back the English texts that had no translation in
/// input.lang (always empty in English), so tests can insist on none.
std::string render_html(const ReportInput& input, std::set<std::string, std::less<>>* untranslated);

}  // namespace assay
