#pragma once
// A large, realistic run for measuring reports at scale (issue 7: 10,000 nodes x 50
// metrics): per node the probes a GPU fleet runs, 5-10 samples a metric, verdicts and
// fleet statistics made by the real engine (summarize_run). Shared by
// tests/reports/report_scale_test.cpp and bench/report_scale_bench.cpp; it does not use
// GoogleTest so the bench can compile this same file. Layout: docs/scale.md.

#include <cstddef>
#include <string>

#include "core/expected.h"
#include "core/result_json.h"
#include "core/summary.h"
#include "suites/plan.h"

namespace assay::testing {

/// The metrics a node reports with the default template, and the most it can report.
inline constexpr std::size_t scale_default_metrics = 50;
inline constexpr std::size_t scale_max_metrics = 90;

struct ScaleOptions {
  std::size_t nodes = 10'000;
  std::size_t metrics_per_node = scale_default_metrics;  ///< 1..scale_max_metrics
  unsigned seed = 1;
  /// Adds interconnect.p2p between ring neighbours (3 more metrics a node), which makes
  /// summarize_run build a nodes x nodes link matrix: keep it for small runs.
  bool links = false;
};

/// The plan every scale run is judged by: H100-class rated figures, min_fraction 0.85,
/// WARN below 0.90.
Plan scale_plan(std::size_t nodes);

/// The run: nodes named node-00000.., every 2,000th (from 1,999) missing with one error
/// result; one in 100 skips storage.meta, one in 300 has a slow GPU (FAIL and fleet
/// outlier), one in 100 a GPU's HBM in the WARN band, one in 2,000 a failed STREAM
/// self-check. Deterministic for a seed.
Summary make_scale_summary(const ScaleOptions& options);
Summary make_scale_summary(std::size_t nodes, std::size_t metrics_per_node, unsigned seed);

/// inventory.json for the summary's nodes (missing ones as {"name", "status"}).
Json scale_inventory(const Summary& summary);

/// Writes summary.json (as a run does), journal.jsonl (one line per result), plan.toml
/// (scale_plan) and inventory.json into `dir` (created if needed), so that
/// `assay report DIR` can be timed end to end.
Expected<void> write_scale_bundle(const std::string& dir, const Summary& summary);

/// Measurements in the summary: what results.csv has one row for.
std::size_t count_measurements(const Summary& summary);

}  // namespace assay::testing
