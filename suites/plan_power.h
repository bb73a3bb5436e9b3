#pragma once
// A plan's [power] (internal to plan loading): which power sources are sampled beside
// every probe, and where they are. Format: docs/plans.md "[power]".

#include <sstream>
#include <string>

#include <toml++/toml.h>

#include "probes/power/power_setup.h"
#include "suites/toml_reader.h"

namespace assay {

/// Reads [power] into `setup`, reporting problems to `issues`.
void read_power(const toml::table& table, PowerSetup& setup, TomlIssues& issues);

/// Writes `setup` as the [power] table of a recorded plan.
void write_power(const PowerSetup& setup, std::ostringstream& out);

}  // namespace assay
