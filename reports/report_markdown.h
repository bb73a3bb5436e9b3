#pragma once
// report.md: the acceptance report for terminals and Git forges, a pure function of
// summary.json and inventory.json.

#include <string>

#include "core/result_json.h"
#include "core/summary.h"

namespace assay {

/// Renders the report: verdict first (accepted or not, counts, what failed and by how
/// much), then the context that qualifies the numbers, every verdict, and every probe's
/// figures with their statistics. `inventory` is inventory.json (may be null).
std::string render_markdown(const Summary& summary, const Json& inventory);

}  // namespace assay
