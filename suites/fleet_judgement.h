#pragma once
// Fleet judgement (DESIGN.md "Verdicts": fleet rules): the values of one metric key
// across the nodes of a run form a group; its spread is judged against the plan's
// fleet_max_cv and entries far from the group's median on the bad side are named as
// outliers. Rules and their edge cases: docs/verdicts-and-bundle.md "Fleet judgement".

#include <span>
#include <vector>

#include "core/result.h"
#include "core/summary.h"
#include "core/verdict.h"
#include "suites/plan.h"

namespace assay {

/// The fleet statistics of a run and the verdicts they give.
struct FleetJudgement {
  std::vector<FleetStat> stats;   ///< one per key reported by two or more nodes, sorted by key
  std::vector<Verdict> verdicts;  ///< per key: the spread (node "fleet"), then each outlier
};

/// Groups every metric of the ok results by key (all (node, subject) values of a key in
/// one group). A key reported by two or more nodes gets statistics, a PASS/FAIL verdict
/// of its cv against fleet_max_cv, and a FAIL per outlier (WARN when the outlier's own
/// confidence interval reaches the limit). Skipped and error results take no part.
FleetJudgement judge_fleet(const Plan& plan, std::span<const ProbeResult> results);

}  // namespace assay
