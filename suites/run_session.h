#pragma once
// `assay run` on this node: plan -> bundle. Creates the bundle, records inventory and
// plan, runs every planned probe under a deadline (journaling each result as it
// arrives), judges, and writes summary.json and the reports, then the MANIFEST (and its
// signature when a key is given) over all of them.

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "core/expected.h"
#include "core/summary.h"
#include "reports/manifest.h"
#include "reports/report_text.h"
#include "suites/catalog.h"
#include "suites/fleet_coordinator.h"
#include "suites/plan.h"
#include "suites/probe_registry.h"

namespace assay {

/// Progress of a run, for the terminal.
struct RunEvent {
  /// notice: something the user should know about the bundle (text), e.g. signatures
  /// removed on --resume.
  enum class Kind { bundle_created, fleet_ready, probe_started, probe_progress, probe_finished, probe_kept, notice };
  Kind kind = Kind::probe_started;
  std::size_t index = 0, total = 0;  ///< 1-based probe number
  std::string probe;
  std::string text;                  ///< bundle path, the fleet, progress, nodes' outcome
  const ProbeResult* result = nullptr;  ///< this node's, for probe_finished / probe_kept
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
  /// The nodes of the run (rank 0's side of an MPI launch); nullptr runs on this node
  /// alone.
  FleetCoordinator* fleet = nullptr;
  /// Signs the bundle's MANIFEST when the run ends (`assay run --sign KEYFILE`); every
  /// run writes the MANIFEST, signed or not.
  std::optional<SigningKey> sign_key;
  /// The language of report.md, report.html and junit.xml (`assay run --lang`);
  /// results.csv and summary.json are read by programs and stay English.
  Lang lang = Lang::en;
};

struct RunOutcome {
  std::string bundle_dir;
  Summary summary;
  bool interrupted = false;  ///< Ctrl-C / SIGTERM stopped the run before its end
  /// Some probe could not be completed (error, deadline, missing node): the run is
  /// incomplete.
  bool incomplete = false;
};

/// Runs `plan` on this node, or on every node of `options.fleet`. Errors are about the bundle (cannot create, cannot write);
/// probe failures are results, not errors.
Expected<RunOutcome> run_plan(const Plan& plan, const Catalog& catalog, const ProbeRegistry& registry,
                              const RunOptions& options);

}  // namespace assay
