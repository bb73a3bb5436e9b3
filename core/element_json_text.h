#pragma once
// Compact JSON text of summary.json's big elements (results with their metrics,
// verdicts) written straight into a string, without building a nlohmann DOM: at 10,000
// nodes x 50 metrics the DOM cost most of `report --format json` (docs/scale.md). The
// text is byte for byte what to_json(...).dump() writes, so every reader, the layout
// split in summary_json_reader.cpp and `assay verify` see no change.

#include <string>

#include "core/result.h"
#include "core/verdict.h"

namespace assay {

/// Appends to_json(metric).dump() to `out`.
void append_metric_json(std::string& out, const Metric& metric);

/// Appends to_json(verdict).dump() to `out`.
void append_verdict_json(std::string& out, const Verdict& verdict);

/// Appends to_json(result).dump() to `out`: the result's own fields through nlohmann,
/// its metrics through append_metric_json.
void append_result_json(std::string& out, const ProbeResult& result);

}  // namespace assay
