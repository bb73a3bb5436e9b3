#pragma once
// power.sample: the power this node draws now (idle, or whatever else runs) for N
// seconds, from one source or from every local one; or a meter log's whole period. See
// docs/probes/power.md.

#include <memory>

#include "probes/probe.h"

namespace assay {

std::unique_ptr<Probe> make_power_sample_probe();

}  // namespace assay
