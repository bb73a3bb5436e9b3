#include "suites/probe_runner.h"

#include <exception>
#include <new>

#include <fmt/format.h>

#include "suites/probe_watchdog.h"

namespace assay {

ProbeResult skipped_result(std::string probe, std::string node, std::string reason) {
  ProbeResult r;
  r.probe = std::move(probe);
  r.node = std::move(node);
  r.status = ProbeStatus::skipped;
  r.reason = std::move(reason);
  r.start = r.end = std::chrono::system_clock::now();
  return r;
}

GuardedRun run_probe_guarded(const Probe& probe, const ParamList& params, ProbeContext context,
                             const ProbeDeadline& deadline, PowerMonitor* power) {
  std::atomic<bool> cancel{false};
  context.cancel = &cancel;
  GuardedRun run;
  ProbeWatchdog watchdog(cancel, deadline.limit, deadline.grace, deadline.on_abandon);
  const bool sampled = power && PowerMonitor::samples(probe.name()) && probe.availability().available;
  if (sampled) power->begin();
  run.result = run_probe(probe, params, context);
  if (sampled) power->end(run.result);
  if (cancel.load() && run.result.status != ProbeStatus::skipped) {
    run.result.status = ProbeStatus::error;
    if (watchdog.deadline_passed()) {
      run.result.error = fmt::format("{}: stopped at its deadline of {} s", probe.name(), deadline.limit.count());
    } else {
      run.result.error = fmt::format("{}: interrupted", probe.name());
      run.interrupted = true;
    }
  }
  return run;
}

Expected<void> check_planned_params(const Plan& plan, const ProbeRegistry& registry) {
  for (const auto& planned : plan.probes) {
    const Probe* probe = registry.find(planned.name);
    if (!probe || !probe->availability().available) continue;
    if (auto checked = probe->check_params(planned.params); !checked) {
      return bad_input(fmt::format("{}: [probes.{}]: {}", plan.file, planned.name, checked.error().message));
    }
  }
  return {};
}

ProbeResult run_probe(const Probe& probe, const ParamList& params, const ProbeContext& context) {
  const auto start = std::chrono::system_clock::now();
  ProbeResult result;
  const Availability availability = probe.availability();
  if (!availability.available && probe.uses_peers() && context.peers && context.peers->size() > 1) {
    try {
      result = probe.stand_aside(params, context, availability.reason);
    } catch (const std::exception& e) {
      result = {};
      result.status = ProbeStatus::skipped;
      result.reason = fmt::format("{} (and telling the other nodes failed: {})", availability.reason, e.what());
    }
  } else if (!availability.available) {
    result.status = ProbeStatus::skipped;
    result.reason = availability.reason;
  } else if (probe.needs_peers() && (!context.peers || context.peers->size() < 2)) {
    result.status = ProbeStatus::skipped;
    result.reason = "needs two or more nodes: launch assay with mpirun or srun, one rank per node "
                    "(docs/fleet.md)";
  } else {
    try {
      if (auto checked = probe.check_params(params); !checked) {
        result.status = ProbeStatus::error;
        result.error = checked.error().message;
      } else {
        result = probe.run(params, context);
      }
    } catch (const std::bad_alloc&) {
      result = {};
      result.status = ProbeStatus::error;
      result.error = fmt::format("{}: out of memory", probe.name());
    } catch (const std::exception& e) {
      result = {};
      result.status = ProbeStatus::error;
      result.error = fmt::format("{}: {}", probe.name(), e.what());
    } catch (...) {
      result = {};
      result.status = ProbeStatus::error;
      result.error = fmt::format("{}: unknown exception", probe.name());
    }
  }
  result.probe = std::string(probe.name());
  result.node = context.node;
  // Probes may report what they actually used (the kernel chosen, "0 = all" made
  // concrete); those entries refine the resolved parameters.
  ParamList used = params;
  for (const auto& p : result.params) set_param(used, p.name, p.value);
  result.params = std::move(used);
  result.start = start;
  result.end = std::chrono::system_clock::now();
  if (result.status == ProbeStatus::ok && !(result.validation.checked && result.validation.passed)) {
    // A figure nobody checked is not evidence; refuse it rather than report it.
    result.status = ProbeStatus::error;
    result.error = fmt::format("{}: internal error: the probe reported ok without a passed validation",
                               probe.name());
  }
  if (result.status == ProbeStatus::error && result.error.empty()) {
    result.error = fmt::format("{}: failed without a message", probe.name());
  }
  if (result.status == ProbeStatus::skipped && result.reason.empty()) {
    result.reason = "not available on this node";
  }
  return result;
}

}  // namespace assay
