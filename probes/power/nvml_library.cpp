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

  if (const nvml::Return rc = lib->nvmlInit_v2(); rc != nvml::kSuccess) {
    return environment_error(
        fmt::format("NVML ({}) failed to initialise: {}", lib->path, lib->error_text(rc)));
  }
  lib->initialised = true;
  return lib;
}

}  // namespace assay
