#include "probes/power/nvml_library.h"

#include <dlfcn.h>

#include <fmt/format.h>

namespace assay {

namespace {

// dlerror() returns null when nothing failed in the dl layer (a symbol whose value is
// null), so there must be a fallback text.
std::string last_dl_error() {
  const char* text = ::dlerror();
  return text != nullptr ? text : "unknown dlopen error";
}

// The layouts nvml.h defines (nvmlPciInfo_t, nvmlMemory_t), as the driver writes them.
static_assert(sizeof(nvml::PciInfo) == 68, "nvmlPciInfo_t is 16 + 5 x 4 + 32 bytes");
static_assert(sizeof(nvml::Memory) == 24, "nvmlMemory_t is three unsigned long long");

template <class F>
Expected<void> resolve(NvmlLibrary& lib, const char* symbol, F& target) {
  ::dlerror();
  void* address = ::dlsym(lib.handle, symbol);
  if (address == nullptr) {
    return environment_error(
        fmt::format("NVML library {} lacks {} (driver too old?): {}", lib.path, symbol, last_dl_error()));
  }
  target = reinterpret_cast<F>(address);
  return {};
}

// A health function an older driver may lack: left null, and the reader says so.
template <class F>
void resolve_optional(NvmlLibrary& lib, const char* symbol, F& target) {
  target = reinterpret_cast<F>(::dlsym(lib.handle, symbol));
  if (target == nullptr) lib.missing_optional.emplace_back(symbol);
}

void resolve_health_functions(NvmlLibrary& lib) {
  resolve_optional(lib, "nvmlSystemGetDriverVersion", lib.nvmlSystemGetDriverVersion);
  resolve_optional(lib, "nvmlSystemGetNVMLVersion", lib.nvmlSystemGetNVMLVersion);
  resolve_optional(lib, "nvmlDeviceGetSerial", lib.nvmlDeviceGetSerial);
  resolve_optional(lib, "nvmlDeviceGetPciInfo_v3", lib.nvmlDeviceGetPciInfo_v3);
  resolve_optional(lib, "nvmlDeviceGetVbiosVersion", lib.nvmlDeviceGetVbiosVersion);
  resolve_optional(lib, "nvmlDeviceGetCurrPcieLinkGeneration", lib.nvmlDeviceGetCurrPcieLinkGeneration);
  resolve_optional(lib, "nvmlDeviceGetMaxPcieLinkGeneration", lib.nvmlDeviceGetMaxPcieLinkGeneration);
  resolve_optional(lib, "nvmlDeviceGetGpuMaxPcieLinkGeneration", lib.nvmlDeviceGetGpuMaxPcieLinkGeneration);
  resolve_optional(lib, "nvmlDeviceGetCurrPcieLinkWidth", lib.nvmlDeviceGetCurrPcieLinkWidth);
  resolve_optional(lib, "nvmlDeviceGetMaxPcieLinkWidth", lib.nvmlDeviceGetMaxPcieLinkWidth);
  resolve_optional(lib, "nvmlDeviceGetEccMode", lib.nvmlDeviceGetEccMode);
  resolve_optional(lib, "nvmlDeviceGetTotalEccErrors", lib.nvmlDeviceGetTotalEccErrors);
  resolve_optional(lib, "nvmlDeviceGetRetiredPages", lib.nvmlDeviceGetRetiredPages);
  resolve_optional(lib, "nvmlDeviceGetRetiredPagesPendingStatus", lib.nvmlDeviceGetRetiredPagesPendingStatus);
  resolve_optional(lib, "nvmlDeviceGetRemappedRows", lib.nvmlDeviceGetRemappedRows);
  resolve_optional(lib, "nvmlDeviceGetClockInfo", lib.nvmlDeviceGetClockInfo);
  resolve_optional(lib, "nvmlDeviceGetMaxClockInfo", lib.nvmlDeviceGetMaxClockInfo);
  resolve_optional(lib, "nvmlDeviceGetCurrentClocksEventReasons", lib.nvmlDeviceGetCurrentClocksEventReasons);
  resolve_optional(lib, "nvmlDeviceGetCurrentClocksThrottleReasons", lib.nvmlDeviceGetCurrentClocksThrottleReasons);
  resolve_optional(lib, "nvmlDeviceGetTemperature", lib.nvmlDeviceGetTemperature);
  resolve_optional(lib, "nvmlDeviceGetTemperatureThreshold", lib.nvmlDeviceGetTemperatureThreshold);
  resolve_optional(lib, "nvmlDeviceGetEnforcedPowerLimit", lib.nvmlDeviceGetEnforcedPowerLimit);
  resolve_optional(lib, "nvmlDeviceGetPowerManagementDefaultLimit", lib.nvmlDeviceGetPowerManagementDefaultLimit);
  resolve_optional(lib, "nvmlDeviceGetMemoryInfo", lib.nvmlDeviceGetMemoryInfo);
}

}  // namespace

NvmlLibrary::~NvmlLibrary() {
  if (initialised && nvmlShutdown != nullptr) nvmlShutdown();
  if (handle != nullptr) ::dlclose(handle);
}

std::string NvmlLibrary::error_text(nvml::Return result) const {
  const char* text = nvmlErrorString != nullptr ? nvmlErrorString(result) : nullptr;
  return fmt::format("{} ({})", text != nullptr ? text : "unknown NVML error", result);
}

Expected<std::shared_ptr<NvmlLibrary>> load_nvml(const std::string& path) {
  auto lib = std::make_shared<NvmlLibrary>();
  lib->path = path.empty() ? kDefaultNvmlLibrary : path;
  // RTLD_LOCAL: NVML's symbols must not satisfy other libraries' lookups by accident.
  lib->handle = ::dlopen(lib->path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (lib->handle == nullptr) return environment_error("NVML not available: " + last_dl_error());

  for (const Expected<void>& resolved : {
           resolve(*lib, "nvmlInit_v2", lib->nvmlInit_v2),
           resolve(*lib, "nvmlShutdown", lib->nvmlShutdown),
           resolve(*lib, "nvmlErrorString", lib->nvmlErrorString),
           resolve(*lib, "nvmlDeviceGetCount_v2", lib->nvmlDeviceGetCount_v2),
           resolve(*lib, "nvmlDeviceGetHandleByIndex_v2", lib->nvmlDeviceGetHandleByIndex_v2),
           resolve(*lib, "nvmlDeviceGetPowerUsage", lib->nvmlDeviceGetPowerUsage),
           resolve(*lib, "nvmlDeviceGetTotalEnergyConsumption", lib->nvmlDeviceGetTotalEnergyConsumption),
           resolve(*lib, "nvmlDeviceGetName", lib->nvmlDeviceGetName),
           resolve(*lib, "nvmlDeviceGetUUID", lib->nvmlDeviceGetUUID),
       }) {
    if (!resolved) return resolved.error();
  }
  resolve_health_functions(*lib);

  if (const nvml::Return rc = lib->nvmlInit_v2(); rc != nvml::kSuccess) {
    return environment_error(
        fmt::format("NVML ({}) failed to initialise: {}", lib->path, lib->error_text(rc)));
  }
  lib->initialised = true;
  return lib;
}

}  // namespace assay
