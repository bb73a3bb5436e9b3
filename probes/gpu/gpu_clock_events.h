#pragma once
// NVML's clock event (formerly "throttle") reasons: why a GPU's clocks are below their
// maximum right now. Bit values are nvml.h's nvmlClocksEventReason* /
// nvmlClocksThrottleReason* macros (NVML API 13, github.com/NVIDIA/go-nvml
// pkg/nvml/nvml.h).

#include <cstdint>
#include <string>
#include <vector>

namespace assay {

namespace nvml {
inline constexpr std::uint64_t kEventGpuIdle = 0x1;
inline constexpr std::uint64_t kEventApplicationsClocksSetting = 0x2;
inline constexpr std::uint64_t kEventSwPowerCap = 0x4;
inline constexpr std::uint64_t kEventHwSlowdown = 0x8;
inline constexpr std::uint64_t kEventSyncBoost = 0x10;
inline constexpr std::uint64_t kEventSwThermalSlowdown = 0x20;
inline constexpr std::uint64_t kEventHwThermalSlowdown = 0x40;
inline constexpr std::uint64_t kEventHwPowerBrakeSlowdown = 0x80;
inline constexpr std::uint64_t kEventDisplayClockSetting = 0x100;
}  // namespace nvml

/// The reasons set in `mask`, lowest bit first, as snake_case names ("gpu_idle",
/// "sw_power_cap", "hw_slowdown", "hw_thermal_slowdown", ...); a bit NVML may add later
/// is named by its value ("unknown_0x200"). Empty for 0 (clocks as high as allowed).
std::vector<std::string> clocks_event_reason_names(std::uint64_t mask);

/// The reasons that mean the hardware is protecting itself (thermal or power-brake
/// slowdown), as opposed to idling or holding a power cap, which are normal.
std::uint64_t clocks_event_slowdown_mask();

}  // namespace assay
