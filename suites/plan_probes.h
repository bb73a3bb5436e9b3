#pragma once
// Probe lists and parameters of plans and suite presets (internal to plan loading).
// Parameters are given in three scopes: [probes] (every probe that accepts them),
// [probes.<family>] and [probes.<family>.<probe>]; suite values come first, the plan's
// override them, and within each the more specific scope wins.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "core/params.h"
#include "suites/plan.h"
#include "suites/probe_registry.h"
#include "suites/toml_reader.h"

namespace assay {

/// One parameter value as written in a [probes...] table.
struct ScopedParam {
  std::string scope;   ///< "" for [probes], "cpu" for [probes.cpu], "cpu.gemm" for a probe
  std::string name;
  ParamValue value;    ///< already checked against every probe in scope that accepts it
  std::string origin;  ///< "plan.toml:12:5"
};

/// How to treat probes the registry does not have.
struct ProbeScopeRules {
  /// Suite presets may name probes of other builds (gpu.* without CUDA): their
  /// families, probes and parameters are skipped without a word.
  bool skip_unknown = false;
  /// Unregistered probes the run knows of (a suite's or a bundle's unavailable
  /// probes): parameters for them are ignored with a warning instead of an error.
  std::vector<std::string> tolerated;
};

/// Reads a [probes] table into scoped parameters, reporting unknown families, probes
/// and parameters (with "did you mean") and invalid values to `issues`.
std::vector<ScopedParam> read_probe_params(const toml::table& probes, const ProbeRegistry& registry,
                                           const ProbeScopeRules& rules, TomlIssues& issues,
                                           std::vector<std::string>& warnings);

/// A suite preset (configs/suites/<name>.toml).
struct SuitePreset {
  std::string name;
  std::string file;  ///< "suites/quick.toml"
  std::string description;
  std::vector<std::string> probes;       ///< registered probes, in run order
  std::vector<std::string> unavailable;  ///< named but not built into this assay
  std::vector<ScopedParam> params;
};

/// The preset files: `override_files` if given, else the embedded configs/suites/*.toml.
std::vector<std::pair<std::string, std::string>> suite_preset_files(
    const std::vector<std::pair<std::string, std::string>>* override_files);

/// "quick" for "suites/quick.toml"; empty for files outside suites/.
std::string suite_name_of(std::string_view path);

/// The preset names, sorted.
std::vector<std::string> suite_preset_names(
    const std::vector<std::pair<std::string, std::string>>* override_files);

/// "unknown suite 'x' (did you mean 'y'?); expected one of: burnin, quick, standard".
std::string unknown_suite_message(std::string_view suite,
                                  const std::vector<std::pair<std::string, std::string>>* override_files);

/// Loads the named preset; nullopt when there is no such preset. Problems inside a
/// preset are errors of assay itself (the presets are built in), reported as internal.
std::optional<Expected<SuitePreset>> load_suite_preset(
    std::string_view name, const ProbeRegistry& registry,
    const std::vector<std::pair<std::string, std::string>>* override_files);

/// Each probe's parameters: its spec defaults, then the suite's scoped values, then the
/// plan's, each from general to specific. Values were checked when they were read.
Expected<std::vector<PlannedProbe>> resolve_planned_probes(
    const std::vector<std::string>& names, const std::vector<ScopedParam>& suite_params,
    const std::vector<ScopedParam>& plan_params, const ProbeRegistry& registry);

/// "cpu" for "cpu.gemm".
std::string probe_family(std::string_view probe_name);

}  // namespace assay
