#pragma once
// `assay run` on this node: plan -> bundle. Creates the bundle, records inventory and
// plan, runs every planned probe under a deadline (journaling each result as it
// arrives), judges, and writes summary.json and report.md.

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "core/expected.h"
#include "core/summary.h"
#include "suites/catalog.h"
#include "suites/plan.h"
#include "suites/probe_registry.h"

namespace assay {

/// Progress of a run, for the terminal.
struct RunEvent {
  enum class Kind { bundle_created, probe_started, probe_progress, probe_finished, probe_kept };
  Kind kind = Kind::probe_started;
  std::size_t index = 0, total = 0;  ///< 1-based probe number
  std::string probe;
  std::string text;                  ///< bundle path, progress text
  const ProbeResult* result = nullptr;  ///< for probe_finished / probe_kept
};

struct RunOptions {
  std::string out_root = "assay-results";
  /// Continue this bundle: keep its journal's ok and skipped results, run the rest.
  std::optional<std::string> resume_dir;
  std::function<void(const RunEvent&)> on_event;
  /// How long one probe may run before it is cancelled, and how long it then has to
  /// return before the run gives up on it.
  std::chrono::seconds probe_deadline{30 * 60};
  std::chrono::seconds cancel_grace{30};
};

struct RunOutcome {
  std::string bundle_dir;
  Summary summary;
  bool interrupted = false;  ///< Ctrl-C / SIGTERM stopped the run before its end
  /// Some probe could not be completed (error, deadline): the run is incomplete.
  bool incomplete = false;
};

/// Runs `plan` on this node. Errors are about the bundle (cannot create, cannot write);
/// probe failures are results, not errors.
Expected<RunOutcome> run_plan(const Plan& plan, const Catalog& catalog, const ProbeRegistry& registry,
                              const RunOptions& options);

/// Builds the summary of a set of results (used by run_plan, and later by verify and
/// report to re-derive it from a bundle).
Summary summarize_run(const Plan& plan, const Catalog& catalog, const std::vector<ProbeResult>& results,
                      std::string started, std::string finished, std::vector<std::string> warnings);

}  // namespace assay
