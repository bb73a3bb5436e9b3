#pragma once
// Runs one probe on this node and turns whatever happens into a ProbeResult: the one
// place that stamps node, parameters and times, maps "unavailable" to skipped and
// exceptions to errors, and insists that a probe reporting ok has validated itself.

#include <chrono>
#include <functional>

#include "core/params.h"
#include "core/result.h"
#include "probes/power/power_monitor.h"
#include "probes/probe.h"
#include "suites/plan.h"
#include "suites/probe_registry.h"

namespace assay {

/// Runs `probe` with already resolved `params`. Never throws.
ProbeResult run_probe(const Probe& probe, const ParamList& params, const ProbeContext& context);

/// How long a probe may run, and what to do when it will not stop.
struct ProbeDeadline {
  std::chrono::seconds limit{30 * 60};  ///< then the probe's cancel flag is set
  std::chrono::seconds grace{30};       ///< then `on_abandon` runs (it should end the process)
  std::function<void(bool interrupted)> on_abandon;
};

/// A probe run under a deadline and the interrupt flag.
struct GuardedRun {
  ProbeResult result;
  bool interrupted = false;  ///< Ctrl-C / SIGTERM stopped it (not the deadline)
};

/// run_probe() with `context.cancel` driven by a watchdog: at the deadline or on an
/// interrupt the probe is asked to stop, and a result it returns after that is an error
/// saying which ("stopped at its deadline of N s", "interrupted"). `context.cancel` is
/// replaced. With `power`, the probe's window is sampled and its power figures attached
/// (PowerMonitor::samples() says for which probes).
GuardedRun run_probe_guarded(const Probe& probe, const ParamList& params, ProbeContext context,
                             const ProbeDeadline& deadline, PowerMonitor* power = nullptr);

/// Checks every available probe of the plan against this machine (Probe::check_params)
/// before a run starts; the error names the plan file and the probe.
Expected<void> check_planned_params(const Plan& plan, const ProbeRegistry& registry);

/// A result for a probe that was not run at all (not built in, node missing...).
ProbeResult skipped_result(std::string probe, std::string node, std::string reason);

}  // namespace assay
