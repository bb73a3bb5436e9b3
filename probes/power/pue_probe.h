#pragma once
// power.pue: the facility's PUE over the period its facility and IT energy meter logs
// share, with the ISO/IEC 30134-2 category and the period stated. See
// docs/probes/power.md "PUE".

#include <memory>

#include "probes/probe.h"

namespace assay {

std::unique_ptr<Probe> make_power_pue_probe();

}  // namespace assay
