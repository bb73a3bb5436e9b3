#pragma once
// A meter log (meter_log.h) seen as the sampler sees a live source: the window's
// energy, mean and peak power, and the series, as source "meter" with the log's file
// name as the domain.

#include <chrono>
#include <optional>
#include <utility>

#include "core/expected.h"
#include "probes/power/meter_log.h"
#include "probes/power/power_sampler.h"

namespace assay {

using WallSpan = std::pair<std::chrono::system_clock::time_point, std::chrono::system_clock::time_point>;

/// The log over `span`, or over its whole period when `span` is empty. An error when
/// the log does not cover the span (it says which part is missing).
Expected<PowerWindow> meter_power_window(const MeterLog& log, std::optional<WallSpan> span);

}  // namespace assay
