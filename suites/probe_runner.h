#pragma once
// Runs one probe on this node and turns whatever happens into a ProbeResult: the one
// place that stamps node, parameters and times, maps "unavailable" to skipped and
// exceptions to errors, and insists that a probe reporting ok has validated itself.

#include "core/params.h"
#include "core/result.h"
#include "probes/probe.h"
#include "suites/plan.h"
#include "suites/probe_registry.h"

namespace assay {

/// Runs `probe` with already resolved `params`. Never throws.
ProbeResult run_probe(const Probe& probe, const ParamList& params, const ProbeContext& context);

/// Checks every available probe of the plan against this machine (Probe::check_params)
/// before a run starts; the error names the plan file and the probe.
Expected<void> check_planned_params(const Plan& plan, const ProbeRegistry& registry);

/// A result for a probe that was not run at all (not built in, node missing...).
ProbeResult skipped_result(std::string probe, std::string node, std::string reason);

}  // namespace assay
