#pragma once
// report.md: the acceptance report for terminals and Git forges, a pure function of
// summary.json and inventory.json, in English or Simplified Chinese.

#include <cstddef>
#include <span>
#include <string>

#include "core/result_json.h"
#include "core/summary.h"
#include "reports/report_input.h"
#include "reports/report_text.h"

namespace assay {

/// Runs with more nodes than this get the summarised report: every verdict other than
/// PASS and INFO in full, PASS and INFO per metric, no per-node result tables.
inline constexpr std::size_t kMarkdownDetailedNodes = 32;

/// Renders the report in input.lang: verdict first (accepted or not, counts, what
/// failed and by how much), then the context that qualifies the numbers, every verdict,
/// every probe's figures with their statistics, and the GB/T 46346-2025 mapping.
std::string render_markdown(const ReportInput& input);

/// The same in the language of `words` (input.lang is not consulted), so a test can
/// ask words.missing() afterwards.
std::string render_markdown(const ReportInput& input, const Words& words);

/// English, for callers that have no ReportInput. `inventory` may be null.
std::string render_markdown(const Summary& summary, const Json& inventory);

/// The Simplified Chinese of report.md's own texts (the shared table has the rest).
std::span<const Translation> markdown_translations();

}  // namespace assay
