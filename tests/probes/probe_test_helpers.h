#pragma once
// Shared by the probe tests: a probe's parameters resolved as the runner would.

#include <vector>

#include "core/params.h"
#include "probes/probe.h"

namespace assay::testing {

/// The probe's defaults with `overrides` applied; a failure to resolve fails the test.
ParamList resolved(const Probe& probe, std::vector<ParamOverride> overrides);

}  // namespace assay::testing
