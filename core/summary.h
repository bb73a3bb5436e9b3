#pragma once
// summary.json (schema "assay.summary/1"): every result and verdict of a run. Reports
// are pure functions of this.

#include <string>
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
  std::vector<SummaryRated> rated;
  std::vector<Verdict> verdicts;
  RunContext context;
  bool accepted = false;
};

/// Counts per verdict status, in VerdictStatus order.
struct VerdictCounts {
  std::size_t pass = 0, warn = 0, fail = 0, info = 0, skip = 0, error = 0;
};
VerdictCounts count_verdicts(const std::vector<Verdict>& verdicts);

}  // namespace assay
