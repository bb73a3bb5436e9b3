#pragma once
// A plan's [criteria] (internal to plan loading): the default thresholds and rules for
// keys or patterns, and how a rule matches a key. Format: docs/plans.md "[criteria]".

#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "suites/plan.h"
#include "suites/toml_reader.h"

namespace assay {

/// How specific `pattern` is for `key`: an exact key beats "family.probe.*", which
/// beats "family.*"; -1 when it does not match.
int criterion_match_rank(std::string_view pattern, std::string_view key);

/// Reads [criteria] into `criteria`, reporting problems to `issues`. A rule must match
/// at least one of `known_keys` (the metrics probes emit, the catalog's figure keys and
/// the plan's [rated] keys).
void read_criteria(const toml::table& table, const std::vector<std::string>& known_keys,
                   const std::string& file, Criteria& criteria, TomlIssues& issues);

}  // namespace assay
