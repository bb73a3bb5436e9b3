#pragma once
// `assay diff`: the change of every (node, subject, metric) between two bundles, e.g.
// factory vs on site or before vs after a firmware update (docs/diff.md). A change is
// significant when the two medians' confidence intervals do not overlap.
//
// Nodes are matched by name only: a node renamed between the bundles shows as one node
// only in A and another only in B (mapping names is not supported).

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/result_json.h"
#include "core/summary.h"
#include "core/verdict.h"

namespace assay {

/// A side with fewer samples has "no CI": with 2 samples the interval [min, max] covers
/// the median only half the time, too little to call any change significant.
inline constexpr std::size_t diff_min_ci_samples = 3;

/// What identifies one run for people comparing two: plan, build and dates.
struct DiffRunInfo {
  std::string label;  ///< how the user named the bundle (its directory); set by the caller
  std::string plan_name;
  std::string suite;
  std::string version;  ///< assay version
  std::string build;    ///< git describe of the assay build
  std::string started, finished;
  bool accepted = false;
  std::size_t nodes = 0;
};

/// Confidence interval of a median, at the coverage its sample count achieves.
struct DiffInterval {
  double low = 0, high = 0;
  double level = 0;  ///< e.g. 0.75 for 3 samples, 0.9785 for 10
};

/// One side of a matched metric.
struct DiffFigure {
  double value = 0;  ///< the metric's value (median, or best-of where the probe says)
  std::size_t n = 0;
  std::optional<DiffInterval> ci;  ///< absent: fewer than diff_min_ci_samples samples
};

enum class ChangeDirection { unchanged, better, worse };

/// In the order changes are listed: significant regressions, significant
/// improvements, then everything else.
enum class ChangeClass { regression, improvement, other };

/// One (node, probe, subject, key) measured in both bundles' ok results. The probe is part
/// of the identity because power figures (power.rapl.watts...) are attributed to every
/// probe they were sampled beside, under the same key and subject.
struct MetricChange {
  std::string node, probe, subject, key;
  Unit unit = Unit::ratio;
  Better better = Better::higher;
  DiffFigure a, b;
  std::optional<double> change;  ///< (B - A) / |A|; absent when A is 0
  ChangeDirection direction = ChangeDirection::unchanged;
  std::optional<bool> ci_overlap;  ///< absent when either side has no CI
  bool significant = false;        ///< both sides have a CI and they do not overlap
  ChangeClass kind = ChangeClass::other;
};

/// A metric in one bundle's ok results and not in the other's, on a node both have.
struct MetricOnOneSide {
  std::string node, probe, subject, key;
  Unit unit = Unit::ratio;
  double value = 0;
  std::string other_side;  ///< why the other bundle lacks it when it says, e.g. "cpu.gemm skipped: ..."
};

struct NodeStatusChange {
  std::string node;
  std::string a, b;  ///< "ok" | "missing"
};

/// A verdict whose status differs; a side without the verdict has no status.
struct VerdictChange {
  std::string node, subject, key;
  std::optional<VerdictStatus> a, b;
  bool worse = false;  ///< B's status is more severe than A's (PASS/INFO < WARN < SKIP < FAIL/ERROR)
};

struct BundleDiff {
  DiffRunInfo a, b;
  std::vector<MetricChange> changes;  ///< every matched metric, in ChangeClass order, then by |change|
  std::vector<MetricOnOneSide> only_in_a, only_in_b;
  std::vector<std::string> nodes_only_in_a, nodes_only_in_b;  ///< sorted
  std::size_t metrics_of_nodes_only_in_a = 0, metrics_of_nodes_only_in_b = 0;
  std::vector<NodeStatusChange> node_status_changes;
  std::vector<VerdictChange> verdict_changes;  ///< worse first, then by node, subject, key
  std::size_t significant_regressions = 0, significant_improvements = 0;
};

/// Compares the ok results and verdicts of two runs. Linear in their sizes apart from
/// sorting (hash maps, no pairwise loops): 10,000 nodes x 50 metrics take well under a
/// second.
BundleDiff diff_summaries(const Summary& a, const Summary& b);

/// What to show of a diff.
struct DiffView {
  double threshold = 0.05;  ///< show non-significant changes of at least this |fraction|
  bool all = false;         ///< show every matched metric
  /// The text form lists at most this many significant regressions, as many significant
  /// improvements, and (when there are no more than this many) the other changes; what
  /// is not listed is summarised per metric key. --all lists everything.
  std::size_t row_limit = 200;
};

/// Whether `view` lists `change`: significant, --all, or |change| >= threshold (a change
/// from 0 counts as beyond any threshold).
bool diff_shows(const MetricChange& change, const DiffView& view);

/// "+12.3%", "-0.42%", "from 0" or "0%".
std::string format_change(const MetricChange& change);

/// The tables `assay diff` prints.
std::string render_diff_text(const BundleDiff& diff, const DiffView& view);

/// `assay diff --json` (schema "assay.diff/1"): the same rows as the text form, never
/// summarised, plus complete counts.
Json diff_json(const BundleDiff& diff, const DiffView& view);

}  // namespace assay
