#pragma once
// NVML, the NVIDIA Management Library, loaded at run time with dlopen so that assay builds
// without NVIDIA headers and runs on machines without the driver (docs: DESIGN.md,
// "Building without the hardware"). Only the functions assay uses are resolved; the few
// NVML types are declared here. Signatures follow the NVML API reference,
// https://docs.nvidia.com/deploy/nvml-api/ (nvml.h of the CUDA toolkit): "Initialization
// and Cleanup", "Error reporting", "System Queries" and "Device Queries".
//
// Shared by the power source (nvml_source.h) and the GPU health probes.

#include <memory>
#include <string>

#include "core/expected.h"

namespace assay {

namespace nvml {
/// nvmlReturn_t: an enum in nvml.h, int-sized in the C ABI.
using Return = int;
/// nvmlDevice_t: an opaque handle (`struct nvmlDevice_st*` in nvml.h).
struct DeviceHandle;
using Device = DeviceHandle*;

inline constexpr Return kSuccess = 0;           ///< NVML_SUCCESS
inline constexpr Return kErrorNotSupported = 3;  ///< NVML_ERROR_NOT_SUPPORTED
/// NVML_DEVICE_NAME_V2_BUFFER_SIZE and NVML_DEVICE_UUID_V2_BUFFER_SIZE: enough for any
/// name or UUID nvmlDeviceGetName and nvmlDeviceGetUUID return.
inline constexpr unsigned kNameBufferSize = 96;
inline constexpr unsigned kUuidBufferSize = 96;
}  // namespace nvml

/// The default library: the driver's runtime soname, present wherever the driver is.
inline constexpr const char* kDefaultNvmlLibrary = "libnvidia-ml.so.1";

/// A loaded and initialised NVML. The function pointers are named as in nvml.h, so code
/// using them reads like the NVML documentation. Destroying it calls nvmlShutdown and
/// dlcloses the library; NVML counts nvmlInit/nvmlShutdown pairs, so several instances
/// may coexist.
struct NvmlLibrary {
  NvmlLibrary() = default;
  ~NvmlLibrary();
  NvmlLibrary(const NvmlLibrary&) = delete;
  NvmlLibrary& operator=(const NvmlLibrary&) = delete;

  nvml::Return (*nvmlInit_v2)() = nullptr;
  nvml::Return (*nvmlShutdown)() = nullptr;
  const char* (*nvmlErrorString)(nvml::Return result) = nullptr;
  nvml::Return (*nvmlDeviceGetCount_v2)(unsigned* device_count) = nullptr;
  nvml::Return (*nvmlDeviceGetHandleByIndex_v2)(unsigned index, nvml::Device* device) = nullptr;
  /// Milliwatts drawn by the whole board.
  nvml::Return (*nvmlDeviceGetPowerUsage)(nvml::Device device, unsigned* milliwatts) = nullptr;
  /// Millijoules since the driver was last loaded (Volta and later; NOT_SUPPORTED before).
  nvml::Return (*nvmlDeviceGetTotalEnergyConsumption)(nvml::Device device,
                                                      unsigned long long* millijoules) = nullptr;
  nvml::Return (*nvmlDeviceGetName)(nvml::Device device, char* name, unsigned length) = nullptr;
  nvml::Return (*nvmlDeviceGetUUID)(nvml::Device device, char* uuid, unsigned length) = nullptr;

  /// "Not Supported (3)": NVML's text for `result` with the code, for error messages.
  std::string error_text(nvml::Return result) const;

  /// What was dlopened, as given (a soname or a path).
  std::string path;
  void* handle = nullptr;
  bool initialised = false;
};

/// dlopens `path` (empty: kDefaultNvmlLibrary), resolves the functions above and calls
/// nvmlInit_v2. An environment Error when the library is absent ("NVML not available:
/// <dlerror>"), lacks a function, or fails to initialise (with nvmlErrorString's text).
Expected<std::shared_ptr<NvmlLibrary>> load_nvml(const std::string& path = "");

}  // namespace assay
