#pragma once
// Judging: measured figures against rated ones by the plan's criteria. Pure: the same
// plan, rated table and results always give the same verdicts (assay verify relies on it).

#include <span>
#include <vector>

#include "core/result.h"
#include "core/summary.h"
#include "core/verdict.h"
#include "suites/plan.h"
#include "suites/rated.h"

namespace assay {

/// Verdicts for every result: PASS/WARN/FAIL for metrics with a rated (or derived)
/// figure, INFO for the rest, SKIP/ERROR for probes that did not run, FAIL for a failed
/// self-check, and FAIL for every figure the plan's [rated] promises that no result
/// measured. `results` holds the latest result per (node, probe).
std::vector<Verdict> judge(const Plan& plan, const RatedTable& rated,
                           std::span<const ProbeResult> results);

/// Accepted: no FAIL and no ERROR verdict.
/// Whether a rated figure of `key` is a limit (power budgets, TDP, the contracted PUE):
/// measured <= rated passes, and min_fraction does not apply.
bool is_limit_key(std::string_view key);

bool is_accepted(std::span<const Verdict> verdicts);

/// The rated figures as recorded in summary.json, including derived figures used.
std::vector<SummaryRated> rated_for_summary(const RatedTable& rated,
                                            std::span<const Verdict> verdicts);

}  // namespace assay
