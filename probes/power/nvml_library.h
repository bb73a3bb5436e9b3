#pragma once
// NVML, the NVIDIA Management Library, loaded at run time with dlopen so that assay builds
// without NVIDIA headers and runs on machines without the driver (docs: DESIGN.md,
// "Building without the hardware"). Only the functions assay uses are resolved; the few
// NVML types are declared here. Signatures follow the NVML API reference,
// https://docs.nvidia.com/deploy/nvml-api/ (nvml.h of the CUDA toolkit): "Initialization
// and Cleanup", "Error reporting", "System Queries" and "Device Queries". The health
// functions, enum values and struct layouts were checked against nvml.h of NVML API 13
// as vendored by github.com/NVIDIA/go-nvml (pkg/nvml/nvml.h, commit 2f9e261f, 2026-07).
//
// Shared by the power source (nvml_source.h) and the GPU health probe (probes/gpu/).
// The power source's functions are required: a library without one is refused. The
// health functions are optional: an older driver lacking one leaves its pointer null,
// and that one field is reported as not available.

#include <memory>
#include <string>
#include <vector>

#include "core/expected.h"

namespace assay {

namespace nvml {
/// nvmlReturn_t: an enum in nvml.h, int-sized in the C ABI.
using Return = int;
/// nvmlDevice_t: an opaque handle (`struct nvmlDevice_st*` in nvml.h; API 13 wraps that
/// pointer in a one-member struct, which the x86-64 and AArch64 C ABIs pass exactly as
/// the pointer itself).
struct DeviceHandle;
using Device = DeviceHandle*;

inline constexpr Return kSuccess = 0;               ///< NVML_SUCCESS
inline constexpr Return kErrorNotSupported = 3;      ///< NVML_ERROR_NOT_SUPPORTED
inline constexpr Return kErrorInsufficientSize = 7;  ///< NVML_ERROR_INSUFFICIENT_SIZE
inline constexpr Return kErrorGpuIsLost = 15;        ///< NVML_ERROR_GPU_IS_LOST
/// NVML_DEVICE_NAME_V2_BUFFER_SIZE and NVML_DEVICE_UUID_V2_BUFFER_SIZE: enough for any
/// name or UUID nvmlDeviceGetName and nvmlDeviceGetUUID return.
inline constexpr unsigned kNameBufferSize = 96;
inline constexpr unsigned kUuidBufferSize = 96;
inline constexpr unsigned kSerialBufferSize = 30;         ///< NVML_DEVICE_SERIAL_BUFFER_SIZE
inline constexpr unsigned kVbiosVersionBufferSize = 32;   ///< NVML_DEVICE_VBIOS_VERSION_BUFFER_SIZE
inline constexpr unsigned kSystemVersionBufferSize = 80;  ///< NVML_SYSTEM_{DRIVER,NVML}_VERSION_BUFFER_SIZE

/// nvmlEnableState_t (an enum, int-sized).
using EnableState = int;
inline constexpr EnableState kFeatureDisabled = 0;  ///< NVML_FEATURE_DISABLED
inline constexpr EnableState kFeatureEnabled = 1;   ///< NVML_FEATURE_ENABLED

/// nvmlMemoryErrorType_t: corrected (single-bit) or uncorrected (double-bit) ECC errors.
using MemoryErrorType = int;
inline constexpr MemoryErrorType kMemoryErrorCorrected = 0;    ///< NVML_MEMORY_ERROR_TYPE_CORRECTED
inline constexpr MemoryErrorType kMemoryErrorUncorrected = 1;  ///< NVML_MEMORY_ERROR_TYPE_UNCORRECTED

/// nvmlEccCounterType_t: volatile counts reset when the driver loads; aggregate counts
/// persist for the life of the device.
using EccCounterType = int;
inline constexpr EccCounterType kVolatileEcc = 0;   ///< NVML_VOLATILE_ECC
inline constexpr EccCounterType kAggregateEcc = 1;  ///< NVML_AGGREGATE_ECC

/// nvmlPageRetirementCause_t.
using PageRetirementCause = int;
inline constexpr PageRetirementCause kRetiredMultipleSingleBit = 0;  ///< ..._MULTIPLE_SINGLE_BIT_ECC_ERRORS
inline constexpr PageRetirementCause kRetiredDoubleBit = 1;          ///< ..._DOUBLE_BIT_ECC_ERROR

/// nvmlClockType_t.
using ClockType = int;
inline constexpr ClockType kClockSm = 1;   ///< NVML_CLOCK_SM
inline constexpr ClockType kClockMem = 2;  ///< NVML_CLOCK_MEM

/// nvmlTemperatureSensors_t and nvmlTemperatureThresholds_t.
using TemperatureSensor = int;
inline constexpr TemperatureSensor kTemperatureGpu = 0;  ///< NVML_TEMPERATURE_GPU
using TemperatureThreshold = int;
inline constexpr TemperatureThreshold kThresholdSlowdown = 1;  ///< NVML_TEMPERATURE_THRESHOLD_SLOWDOWN

/// nvmlPciInfo_t as nvmlDeviceGetPciInfo_v3 fills it (68 bytes).
struct PciInfo {
  char busIdLegacy[16];  ///< NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE
  unsigned domain;
  unsigned bus;
  unsigned device;
  unsigned pciDeviceId;
  unsigned pciSubSystemId;
  char busId[32];  ///< NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE: "00000000:18:00.0"
};

/// nvmlMemory_t (version 1, as nvmlDeviceGetMemoryInfo fills it), bytes.
struct Memory {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};
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

  // Optional (health): null when this driver's NVML lacks the function.
  nvml::Return (*nvmlSystemGetDriverVersion)(char* version, unsigned length) = nullptr;
  nvml::Return (*nvmlSystemGetNVMLVersion)(char* version, unsigned length) = nullptr;
  nvml::Return (*nvmlDeviceGetSerial)(nvml::Device device, char* serial, unsigned length) = nullptr;
  nvml::Return (*nvmlDeviceGetPciInfo_v3)(nvml::Device device, nvml::PciInfo* pci) = nullptr;
  nvml::Return (*nvmlDeviceGetVbiosVersion)(nvml::Device device, char* version, unsigned length) = nullptr;
  /// Generation and width: current, and the most this GPU and its slot allow together;
  /// GpuMax is the GPU's own maximum generation (newer drivers only).
  nvml::Return (*nvmlDeviceGetCurrPcieLinkGeneration)(nvml::Device device, unsigned* gen) = nullptr;
  nvml::Return (*nvmlDeviceGetMaxPcieLinkGeneration)(nvml::Device device, unsigned* gen) = nullptr;
  nvml::Return (*nvmlDeviceGetGpuMaxPcieLinkGeneration)(nvml::Device device, unsigned* gen) = nullptr;
  nvml::Return (*nvmlDeviceGetCurrPcieLinkWidth)(nvml::Device device, unsigned* width) = nullptr;
  nvml::Return (*nvmlDeviceGetMaxPcieLinkWidth)(nvml::Device device, unsigned* width) = nullptr;
  nvml::Return (*nvmlDeviceGetEccMode)(nvml::Device device, nvml::EnableState* current,
                                       nvml::EnableState* pending) = nullptr;
  nvml::Return (*nvmlDeviceGetTotalEccErrors)(nvml::Device device, nvml::MemoryErrorType error_type,
                                              nvml::EccCounterType counter_type,
                                              unsigned long long* count) = nullptr;
  /// `page_count` in: the size of `addresses`; out: the pages retired for `cause`
  /// (NVML_ERROR_INSUFFICIENT_SIZE when they do not fit, with the count set).
  nvml::Return (*nvmlDeviceGetRetiredPages)(nvml::Device device, nvml::PageRetirementCause cause,
                                            unsigned* page_count, unsigned long long* addresses) = nullptr;
  nvml::Return (*nvmlDeviceGetRetiredPagesPendingStatus)(nvml::Device device, nvml::EnableState* pending) = nullptr;
  /// Ampere and later; NOT_SUPPORTED with MIG enabled.
  nvml::Return (*nvmlDeviceGetRemappedRows)(nvml::Device device, unsigned* corrected_rows, unsigned* uncorrected_rows,
                                            unsigned* is_pending, unsigned* failure_occurred) = nullptr;
  /// MHz.
  nvml::Return (*nvmlDeviceGetClockInfo)(nvml::Device device, nvml::ClockType type, unsigned* mhz) = nullptr;
  nvml::Return (*nvmlDeviceGetMaxClockInfo)(nvml::Device device, nvml::ClockType type, unsigned* mhz) = nullptr;
  /// Bitmask of nvmlClocksEventReason* (drivers of CUDA 12.2 and later); the older name
  /// below returns the same mask (deprecated in API 13).
  nvml::Return (*nvmlDeviceGetCurrentClocksEventReasons)(nvml::Device device, unsigned long long* reasons) = nullptr;
  nvml::Return (*nvmlDeviceGetCurrentClocksThrottleReasons)(nvml::Device device,
                                                            unsigned long long* reasons) = nullptr;
  /// Degrees Celsius (deprecated in API 13 in favour of nvmlDeviceGetTemperatureV, still exported).
  nvml::Return (*nvmlDeviceGetTemperature)(nvml::Device device, nvml::TemperatureSensor sensor,
                                           unsigned* celsius) = nullptr;
  nvml::Return (*nvmlDeviceGetTemperatureThreshold)(nvml::Device device, nvml::TemperatureThreshold threshold,
                                                    unsigned* celsius) = nullptr;
  /// Milliwatts.
  nvml::Return (*nvmlDeviceGetEnforcedPowerLimit)(nvml::Device device, unsigned* milliwatts) = nullptr;
  nvml::Return (*nvmlDeviceGetPowerManagementDefaultLimit)(nvml::Device device, unsigned* milliwatts) = nullptr;
  nvml::Return (*nvmlDeviceGetMemoryInfo)(nvml::Device device, nvml::Memory* memory) = nullptr;

  /// "Not Supported (3)": NVML's text for `result` with the code, for error messages.
  std::string error_text(nvml::Return result) const;

  /// The optional functions this library lacks, by name (an older driver).
  std::vector<std::string> missing_optional;

  /// What was dlopened, as given (a soname or a path).
  std::string path;
  void* handle = nullptr;
  bool initialised = false;
};

/// dlopens `path` (empty: kDefaultNvmlLibrary), resolves the functions above (the
/// optional ones where present) and calls nvmlInit_v2. An environment Error when the
/// library is absent ("NVML not available: <dlerror>"), lacks a required function, or
/// fails to initialise (with nvmlErrorString's text).
Expected<std::shared_ptr<NvmlLibrary>> load_nvml(const std::string& path = "");

}  // namespace assay
