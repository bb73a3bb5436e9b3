#include "probes/gpu/gpu_clock_events.h"

#include <array>

#include <fmt/format.h>

namespace assay {
namespace {

struct Reason {
  std::uint64_t bit;
  const char* name;
};

constexpr std::array kReasons{
    Reason{nvml::kEventGpuIdle, "gpu_idle"},
    Reason{nvml::kEventApplicationsClocksSetting, "applications_clocks_setting"},
    Reason{nvml::kEventSwPowerCap, "sw_power_cap"},
    Reason{nvml::kEventHwSlowdown, "hw_slowdown"},
    Reason{nvml::kEventSyncBoost, "sync_boost"},
    Reason{nvml::kEventSwThermalSlowdown, "sw_thermal_slowdown"},
    Reason{nvml::kEventHwThermalSlowdown, "hw_thermal_slowdown"},
    Reason{nvml::kEventHwPowerBrakeSlowdown, "hw_power_brake_slowdown"},
    Reason{nvml::kEventDisplayClockSetting, "display_clock_setting"},
};

}  // namespace

std::vector<std::string> clocks_event_reason_names(std::uint64_t mask) {
  std::vector<std::string> names;
  for (unsigned bit = 0; bit < 64; ++bit) {
    const std::uint64_t value = std::uint64_t{1} << bit;
    if ((mask & value) == 0) continue;
    std::string name = fmt::format("unknown_{:#x}", value);
    for (const Reason& r : kReasons) {
      if (r.bit == value) name = r.name;
    }
    names.push_back(std::move(name));
  }
  return names;
}

// Software power capping and idling are how a healthy GPU runs; these four mean heat
// or the power supply forced the clocks down.
std::uint64_t clocks_event_slowdown_mask() {
  return nvml::kEventHwSlowdown | nvml::kEventSwThermalSlowdown | nvml::kEventHwThermalSlowdown |
         nvml::kEventHwPowerBrakeSlowdown;
}

}  // namespace assay
