#pragma once
// Turns what the sampler saw over a probe's window into figures of the probe's result:
// per source and domain the mean power, peak power and energy, the power series as a
// table, and energy-efficiency figures (FLOP/s per W = FLOP/J) for the compute and
// memory probes (docs/probes/power.md "Attribution").

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "probes/probe.h"
#include "probes/power/power_sampler.h"

namespace assay {

/// "power.<source>.watts" etc.
std::string power_watts_key(std::string_view source);       ///< mean power over the window (W)
std::string power_peak_key(std::string_view source);        ///< highest power over one interval (W)
std::string power_energy_key(std::string_view source);      ///< energy over the window (J)

/// The figures the sampler adds beside every probe, for every source (live sources and
/// "meter"): watts, peak_watts and energy. power.sample emits the same.
std::vector<MetricSpec> sampled_power_metrics();

/// The efficiency figure of a rate: "cpu.fma.fp64" -> "cpu.fma.fp64_per_watt" with unit
/// FLOP/J (FLOP/s -> FLOP/J, op/s -> op/J, B/s -> B/J). nullopt for figures that get
/// none: other units, families other than cpu, memory and gpu, derived peaks and
/// aggregates.
struct EfficiencyFigure {
  std::string key;
  Unit unit;
};
std::optional<EfficiencyFigure> efficiency_figure(std::string_view key, Unit unit);

/// The series kept in a result has at most this many points per source; longer windows
/// are averaged into this many equal spans (the peak figure still comes from the full
/// series).
inline constexpr std::size_t kMaxSeriesPoints = 600;

/// Adds the window's power figures, series and notes to `result`, and for an ok result
/// of a compute or memory probe the efficiency of each of its rates.
void attach_power(ProbeResult& result, const PowerWindow& window);

}  // namespace assay
