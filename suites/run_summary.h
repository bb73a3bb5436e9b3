#pragma once
// From a run's results to its summary: verdicts against the rated figures, fleet
// judgement across nodes, the link matrix. Used by run_plan, and by verify and report
// to re-derive a summary from a bundle.

#include <string>
#include <vector>

#include "core/summary.h"
#include "suites/catalog.h"
#include "suites/plan.h"

namespace assay {

/// Builds the summary of `results` (latest per node/probe/subject already chosen).
/// `nodes` lists every node of the run in rank order with its status ("ok" or
/// "missing"); nodes that appear only in `results` are added as "ok".
Summary summarize_run(const Plan& plan, const Catalog& catalog, const std::vector<ProbeResult>& results,
                      std::vector<NodeStatus> nodes, std::string started, std::string finished,
                      std::vector<std::string> warnings);

}  // namespace assay
