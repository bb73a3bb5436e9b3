#pragma once
// A plan (DESIGN.md "Plans, rated figures, criteria"; format in docs/plans.md): what
// the system is, what was promised, what counts as accepted, and what to run.
// Loading is strict and complete: a plan that loads has every default filled in.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/expected.h"
#include "core/params.h"
#include "core/units.h"
#include "probes/power/power_setup.h"
#include "suites/catalog.h"
#include "suites/probe_registry.h"

namespace assay {

/// Where a value came from in a plan file, for messages ("plan.toml:12:5").
struct SourcePosition {
  std::string file;
  std::uint32_t line = 0, column = 0;
  std::string text() const;  ///< "file:line:column" (or just file when line is 0)
};

struct SystemSection {
  std::string name = "this node";  ///< names the bundle directory and the reports
  std::int64_t nodes = 1;          ///< inventory: nodes expected in the run
  std::string description;
};

struct NodeSection {
  std::string cpu;              ///< catalog id, empty if not given
  std::int64_t cpu_sockets = 1;
  std::string gpu;              ///< catalog id, empty if none
  std::int64_t gpus = 0;
};

/// A rated figure the plan judges against: one of its [rated] table, or one that the
/// catalog entries named by [node] supply (node level: CPU figures x sockets, GPU
/// figures per device), merged in when the plan is loaded.
struct PlanRatedFigure {
  std::string key;
  Quantity quantity;
  std::string source;  ///< e.g. "contract 4.3"; "plan" if not given; "catalog <id>: ..."
  std::string basis;   ///< how the figure follows from the source ("2 sockets x ..."), or empty
  bool unconfirmed = false;  ///< the catalog marks the source as weak
  /// Merged from the catalog rather than promised by the plan itself: judged only where
  /// a probe measures it. Kept through plan_to_toml() as `catalog = "<id>"`.
  bool from_catalog = false;
  std::string catalog_id;    ///< the catalog entry it came from, when from_catalog
  SourcePosition position;   ///< the [rated] key, or the [node] id it came from
};

/// Acceptance thresholds for one key or a family pattern ("memory.stream.*").
struct CriterionRule {
  std::string pattern;  ///< exact key, or prefix ending in ".*"
  std::optional<double> min_fraction;   ///< FAIL below rated x min_fraction
  std::optional<double> warn_fraction;  ///< WARN below rated x warn_fraction (>= min)
  SourcePosition position;
  std::optional<double> fleet_max_cv = std::nullopt;        ///< across-node cv of the matching keys
  std::optional<double> fleet_outlier_mads = std::nullopt;  ///< outlier distance for the matching keys
};

struct Criteria {
  double min_fraction = 0.90;                 ///< default for every rated figure
  std::optional<double> warn_fraction;        ///< default: no WARN band
  double fleet_max_cv = 0.05;                 ///< across-node spread of one metric
  double fleet_outlier_mads = 3.0;            ///< outliers by median absolute deviation
  std::vector<CriterionRule> rules;           ///< most specific match wins
};

/// The thresholds that apply to one metric key after rules are matched.
struct EffectiveCriterion {
  double min_fraction = 0.90;
  double warn_fraction = 0.90;  ///< equals min_fraction when there is no WARN band
  std::string origin;           ///< "default", or the pattern of the rule that set a fraction
  double fleet_max_cv = 0.05;        ///< largest across-node cv (docs/verdicts-and-bundle.md)
  double fleet_outlier_mads = 3.0;   ///< MADs from the fleet median that make an outlier
  std::string fleet_origin;          ///< "default", or the pattern of the rule that set a fleet figure
};

/// One probe to run with its resolved parameters.
struct PlannedProbe {
  std::string name;
  ParamList params;
};

struct Plan {
  std::string file;   ///< where it was loaded from ("(built-in quick suite)" if none)
  SystemSection system;
  NodeSection node;
  /// Every figure that will be judged, sorted by key: the plan's [rated] figures and,
  /// for keys the plan does not rate, the catalog's (from_catalog set).
  std::vector<PlanRatedFigure> rated;
  /// True once `rated` holds the catalog's figures too (parse_plan sets it), so that
  /// RatedTable::resolve need not consult the catalog again.
  bool catalog_resolved = false;
  Criteria criteria;
  std::string suite = "quick";  ///< the preset the probe list and parameters started from
  std::vector<PlannedProbe> probes;  ///< in run order, parameters fully resolved
  /// What is sampled beside every probe ([power]; default: the local sources).
  PowerSetup power;
  /// Probes the suite names that this assay was built without (e.g. gpu.* without
  /// CUDA); the runner reports each as SKIP "not built into this assay".
  std::vector<std::string> unavailable_probes;
  /// Things that load but deserve a look (unconfirmed catalog figures, parameters
  /// given for probes this build lacks), for `assay plan check` to print.
  std::vector<std::string> warnings;

  EffectiveCriterion criterion_for(std::string_view key) const;
  const PlanRatedFigure* rated_figure(std::string_view key) const;
};

/// Options that change how a plan is loaded.
struct PlanLoadOptions {
  std::optional<std::string> suite_override;  ///< `--suite` given on the command line
  /// The plan was written by plan_to_toml() into a bundle, possibly by another build:
  /// probes this build lacks become unavailable_probes, [rated] keys and catalog ids
  /// this build does not know are accepted, and [rated] is taken as complete (the
  /// catalog adds nothing), so that `assay verify` judges exactly as the run did.
  bool recorded = false;
  /// Suite presets as (path, TOML text), e.g. {"suites/quick.toml", "..."}, instead of
  /// the embedded configs/suites/*.toml; for tests.
  const std::vector<std::pair<std::string, std::string>>* suite_files = nullptr;
};

/// Parses a plan from TOML text. `file` names it in messages. The suite preset
/// (embedded configs/suites/<suite>.toml) supplies the probe list and parameter
/// defaults; the plan's own values override them. Every error names file, line,
/// column and what was expected; all problems of the file are reported, one a line.
Expected<Plan> parse_plan(std::string_view toml_text, const std::string& file,
                          const Catalog& catalog, const ProbeRegistry& registry,
                          const PlanLoadOptions& options = {});

/// Reads and parses a plan file; an unreadable path is a bad_input error naming it.
Expected<Plan> load_plan_file(const std::string& path, const Catalog& catalog,
                              const ProbeRegistry& registry, const PlanLoadOptions& options = {});

/// The plan used when none is given: this node (gethostname), the catalog CPU entry
/// matching /proc/cpuinfo's model name (none if no entry matches), the detected socket
/// count, the named suite.
Expected<Plan> default_plan(const std::string& suite, const Catalog& catalog,
                            const ProbeRegistry& registry, const PlanLoadOptions& options = {});

/// The names of the embedded suite presets ("burnin", "quick", "standard"), sorted.
std::vector<std::string> suite_names();

/// The plan as TOML with every default filled in (plan.toml in the bundle): all rated
/// figures with source and basis at full precision, criteria, the probe list and every
/// probe's resolved parameters. Parsing the output gives the same Plan.
std::string plan_to_toml(const Plan& plan);

}  // namespace assay
