#pragma once
// summary.json (schema "assay.summary/1"): every result and verdict of a run. Reports
// are pure functions of this.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/build_info.h"
#include "core/result.h"
#include "core/verdict.h"

namespace assay {

struct NodeStatus {
  std::string name;
  std::string status;  ///< "ok" | "missing"
};

/// A rated figure as recorded for the auditor (what each verdict was compared with).
struct SummaryRated {
  std::string key;
  Unit unit = Unit::ratio;
  double value = 0;
  std::string source;
  std::string basis;
  bool derived = false;
};

/// The `node` of verdicts about the whole fleet (the spread of one metric across nodes).
inline constexpr std::string_view fleet_node = "fleet";

/// One entry of a fleet group far from the fleet median on the bad side.
struct FleetOutlier {
  std::string node;
  std::string subject;
  double value = 0;  ///< base SI units
};

/// Across-node statistics of one metric key: every (node, subject) value of the key
/// from the run's ok results, as one group (docs/verdicts-and-bundle.md "Fleet").
struct FleetStat {
  std::string key;
  /// Empty, or what narrows the group beyond the key: power figures are compared across
  /// nodes per probe and domain ("package-0 during cpu.fma"), since a node's power under
  /// FMA load says nothing about its power under STREAM.
  std::string scope;
  Unit unit = Unit::ratio;
  Better better = Better::higher;
  std::size_t n = 0;      ///< entries: (node, subject) values
  std::size_t nodes = 0;  ///< distinct nodes that reported them
  double median = 0, mean = 0, min = 0, max = 0;
  double cv = 0;   ///< stdev / |mean| of the values (sample stdev); 0 when the mean is 0
  double mad = 0;  ///< median absolute deviation x 1.4826 (estimates a standard deviation)
  /// The value beyond which (on the bad side) an entry is an outlier; absent when the
  /// group has fewer than 3 entries and no outliers are judged.
  std::optional<double> outlier_limit;
  std::vector<FleetOutlier> outliers;  ///< in result order
};

/// Point-to-point figures between the run's nodes (interconnect.p2p): row i, column j
/// is the link from nodes[i] to nodes[j]; nullopt where not measured (and on the
/// diagonal). Latency and bibandwidth are symmetric; bandwidth has the sender's row.
struct LinkMatrix {
  using Grid = std::vector<std::vector<std::optional<double>>>;
  std::vector<std::string> nodes;  ///< Summary::nodes order, then any other node a link names
  Grid latency;      ///< s, interconnect.p2p.latency
  Grid bandwidth;    ///< B/s, interconnect.p2p.bandwidth, row = sender
  Grid bibandwidth;  ///< B/s, interconnect.p2p.bibandwidth
};

/// Context that makes the numbers meaningful (google/benchmark style).
struct RunContext {
  std::vector<std::string> warnings;  ///< e.g. "running under a hypervisor"
};

struct Summary {
  std::string plan_name;
  std::string plan_file;
  std::string suite;
  BuildInfo assay;
  std::string started, finished;  ///< ISO 8601 UTC
  std::vector<NodeStatus> nodes;
  std::vector<ProbeResult> results;
  /// For results[i], its 1-based line in journal.jsonl (0: not in the journal), so a
  /// report can point to the raw evidence without reading the journal. Empty when
  /// unknown (bundles written before summary.json recorded it).
  std::vector<std::size_t> journal_lines;
  std::vector<SummaryRated> rated;
  std::vector<Verdict> verdicts;
  std::vector<FleetStat> fleet;     ///< keys measured on two or more nodes, sorted by key
  std::optional<LinkMatrix> links;  ///< absent when the run measured no link
  RunContext context;
  bool accepted = false;
};

/// Counts per verdict status, in VerdictStatus order.
struct VerdictCounts {
  std::size_t pass = 0, warn = 0, fail = 0, info = 0, skip = 0, error = 0;
};
VerdictCounts count_verdicts(const std::vector<Verdict>& verdicts);

/// The fleet statistics of `key`, or nullptr.
const FleetStat* find_fleet_stat(const Summary& summary, std::string_view key);

}  // namespace assay
