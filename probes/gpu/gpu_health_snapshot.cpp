#include "probes/gpu/gpu_health_snapshot.h"

#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "core/iso_time.h"

namespace assay {
namespace {

constexpr double kMegahertz = 1e6;
constexpr double kCelsiusZeroKelvin = 273.15;

// A string NVML wrote into a fixed buffer, up to its terminator or the buffer's end
// (a driver bug must not make us read past it).
template <std::size_t N>
std::string text_of(const char (&buffer)[N]) {
  return std::string(buffer, ::strnlen(buffer, N));
}

// Reads one GPU. Each call either fills a reading or records why this GPU could not
// give it; a GPU that NVML reports lost stops the reading there (every later call would
// say the same).
class GpuReader {
 public:
  GpuReader(const NvmlLibrary& lib, GpuHealthSnapshot& gpu, nvml::Device device)
      : lib_(lib), gpu_(gpu), device_(device) {}

  bool lost() const { return !gpu_.lost.empty(); }

  // Calls `fn` (named `fn_name`) for the reading `what`; true when it succeeded.
  template <class F, class... Args>
  bool call(const char* what, const char* fn_name, F fn, Args... args) {
    // A function the library lacks is listed once for the node (missing_functions).
    if (lost() || fn == nullptr) return false;
    const nvml::Return rc = fn(device_, args...);
    return accept(what, fn_name, rc);
  }

  // Whether `rc` says the reading was filled in; if not, records why. `size_is_ok`:
  // NVML_ERROR_INSUFFICIENT_SIZE still fills in a count (nvmlDeviceGetRetiredPages
  // asked for the count only).
  bool accept(const char* what, const char* fn_name, nvml::Return rc, bool size_is_ok = false) {
    if (rc == nvml::kSuccess || (size_is_ok && rc == nvml::kErrorInsufficientSize)) return true;
    if (rc == nvml::kErrorGpuIsLost) {
      gpu_.lost = fmt::format("{}: {}", fn_name, lib_.error_text(rc));
    } else if (rc == nvml::kErrorNotSupported) {
      missing(what, fmt::format("not supported on this GPU ({})", fn_name));
    } else {
      missing(what, fmt::format("{} failed: {}", fn_name, lib_.error_text(rc)));
    }
    return false;
  }

  void missing(const char* what, const std::string& why) {
    gpu_.unavailable.push_back(fmt::format("{}: {}", what, why));
  }

  nvml::Device device() const { return device_; }

 private:
  const NvmlLibrary& lib_;
  GpuHealthSnapshot& gpu_;
  nvml::Device device_;
};

void read_identity(const NvmlLibrary& lib, GpuReader& r, GpuHealthSnapshot& gpu) {
  char serial[nvml::kSerialBufferSize] = {};
  if (r.call("serial", "nvmlDeviceGetSerial", lib.nvmlDeviceGetSerial, serial, nvml::kSerialBufferSize)) {
    gpu.serial = text_of(serial);
  }
  nvml::PciInfo pci{};
  if (r.call("pci_bus_id", "nvmlDeviceGetPciInfo_v3", lib.nvmlDeviceGetPciInfo_v3, &pci)) {
    gpu.pci_bus_id = text_of(pci.busId);
  }
  char vbios[nvml::kVbiosVersionBufferSize] = {};
  if (r.call("vbios_version", "nvmlDeviceGetVbiosVersion", lib.nvmlDeviceGetVbiosVersion, vbios,
             nvml::kVbiosVersionBufferSize)) {
    gpu.vbios_version = text_of(vbios);
  }
}

// Reads an unsigned reading into `target` when the call succeeds.
template <class F>
void read_unsigned(GpuReader& r, const char* what, const char* fn_name, F fn, std::optional<unsigned>& target) {
  unsigned value = 0;
  if (r.call(what, fn_name, fn, &value)) target = value;
}

void read_pcie(const NvmlLibrary& lib, GpuReader& r, PcieLinkReading& pcie) {
  read_unsigned(r, "pcie.gen_current", "nvmlDeviceGetCurrPcieLinkGeneration", lib.nvmlDeviceGetCurrPcieLinkGeneration,
                pcie.gen_current);
  read_unsigned(r, "pcie.gen_max", "nvmlDeviceGetMaxPcieLinkGeneration", lib.nvmlDeviceGetMaxPcieLinkGeneration,
                pcie.gen_max);
  read_unsigned(r, "pcie.gen_gpu_max", "nvmlDeviceGetGpuMaxPcieLinkGeneration",
                lib.nvmlDeviceGetGpuMaxPcieLinkGeneration, pcie.gen_gpu_max);
  read_unsigned(r, "pcie.width_current", "nvmlDeviceGetCurrPcieLinkWidth", lib.nvmlDeviceGetCurrPcieLinkWidth,
                pcie.width_current);
  read_unsigned(r, "pcie.width_max", "nvmlDeviceGetMaxPcieLinkWidth", lib.nvmlDeviceGetMaxPcieLinkWidth,
                pcie.width_max);
}

void read_ecc(const NvmlLibrary& lib, GpuReader& r, GpuHealthSnapshot& gpu) {
  nvml::EnableState current = nvml::kFeatureDisabled, pending = nvml::kFeatureDisabled;
  if (r.call("ecc_mode", "nvmlDeviceGetEccMode", lib.nvmlDeviceGetEccMode, &current, &pending)) {
    gpu.ecc_enabled = current == nvml::kFeatureEnabled;
    gpu.ecc_pending_enabled = pending == nvml::kFeatureEnabled;
  }
  struct Counter {
    const char* what;
    nvml::MemoryErrorType type;
    nvml::EccCounterType counter;
    std::optional<std::uint64_t>& target;
  };
  for (const Counter& c : {
           Counter{"ecc.volatile_corrected", nvml::kMemoryErrorCorrected, nvml::kVolatileEcc,
                   gpu.ecc.volatile_corrected},
           Counter{"ecc.volatile_uncorrected", nvml::kMemoryErrorUncorrected, nvml::kVolatileEcc,
                   gpu.ecc.volatile_uncorrected},
           Counter{"ecc.aggregate_corrected", nvml::kMemoryErrorCorrected, nvml::kAggregateEcc,
                   gpu.ecc.aggregate_corrected},
           Counter{"ecc.aggregate_uncorrected", nvml::kMemoryErrorUncorrected, nvml::kAggregateEcc,
                   gpu.ecc.aggregate_uncorrected},
       }) {
    unsigned long long count = 0;
    if (r.call(c.what, "nvmlDeviceGetTotalEccErrors", lib.nvmlDeviceGetTotalEccErrors, c.type, c.counter, &count)) {
      c.target = count;
    }
  }
}

void read_retired_pages(const NvmlLibrary& lib, GpuReader& r, RetiredPagesReading& pages) {
  struct Cause {
    const char* what;
    nvml::PageRetirementCause cause;
    std::optional<unsigned>& target;
  };
  for (const Cause& c : {
           Cause{"retired_pages.multiple_single_bit", nvml::kRetiredMultipleSingleBit, pages.multiple_single_bit},
           Cause{"retired_pages.double_bit", nvml::kRetiredDoubleBit, pages.double_bit},
       }) {
    if (r.lost() || lib.nvmlDeviceGetRetiredPages == nullptr) break;
    // Only the count is wanted: a buffer of size 0 makes NVML return it (with
    // INSUFFICIENT_SIZE when there are pages). The pointer is never written through,
    // but some drivers refuse a null one.
    unsigned count = 0;
    unsigned long long unused_address = 0;
    const nvml::Return rc = lib.nvmlDeviceGetRetiredPages(r.device(), c.cause, &count, &unused_address);
    if (r.accept(c.what, "nvmlDeviceGetRetiredPages", rc, /*size_is_ok=*/true)) c.target = count;
  }
  nvml::EnableState pending = nvml::kFeatureDisabled;
  if (r.call("retired_pages.pending", "nvmlDeviceGetRetiredPagesPendingStatus",
             lib.nvmlDeviceGetRetiredPagesPendingStatus, &pending)) {
    pages.pending = pending == nvml::kFeatureEnabled;
  }
}

void read_remapped_rows(const NvmlLibrary& lib, GpuReader& r, GpuHealthSnapshot& gpu) {
  unsigned corrected = 0, uncorrected = 0, pending = 0, failure = 0;
  if (r.call("remapped_rows", "nvmlDeviceGetRemappedRows", lib.nvmlDeviceGetRemappedRows, &corrected, &uncorrected,
             &pending, &failure)) {
    gpu.remapped_rows = RemappedRowsReading{corrected, uncorrected, pending != 0, failure != 0};
  }
}

void read_clocks(const NvmlLibrary& lib, GpuReader& r, GpuHealthSnapshot& gpu) {
  struct Clock {
    const char* what;
    bool max;
    nvml::ClockType type;
    std::optional<double>& target;
  };
  for (const Clock& c : {
           Clock{"sm_clock", false, nvml::kClockSm, gpu.sm_clock_hz},
           Clock{"sm_clock_max", true, nvml::kClockSm, gpu.sm_clock_max_hz},
           Clock{"memory_clock", false, nvml::kClockMem, gpu.memory_clock_hz},
           Clock{"memory_clock_max", true, nvml::kClockMem, gpu.memory_clock_max_hz},
       }) {
    unsigned mhz = 0;
    const bool ok = c.max ? r.call(c.what, "nvmlDeviceGetMaxClockInfo", lib.nvmlDeviceGetMaxClockInfo, c.type, &mhz)
                          : r.call(c.what, "nvmlDeviceGetClockInfo", lib.nvmlDeviceGetClockInfo, c.type, &mhz);
    if (ok) c.target = mhz * kMegahertz;
  }
  // The event-reasons name is the current one; drivers before it have only the
  // throttle-reasons name, which returns the same bitmask.
  unsigned long long reasons = 0;
  const bool ok = lib.nvmlDeviceGetCurrentClocksEventReasons != nullptr
                      ? r.call("clocks_event_reasons", "nvmlDeviceGetCurrentClocksEventReasons",
                               lib.nvmlDeviceGetCurrentClocksEventReasons, &reasons)
                      : r.call("clocks_event_reasons", "nvmlDeviceGetCurrentClocksThrottleReasons",
                               lib.nvmlDeviceGetCurrentClocksThrottleReasons, &reasons);
  if (ok) gpu.clocks_event_reasons = reasons;
}

void read_thermal_and_power(const NvmlLibrary& lib, GpuReader& r, GpuHealthSnapshot& gpu) {
  unsigned celsius = 0;
  if (r.call("temperature", "nvmlDeviceGetTemperature", lib.nvmlDeviceGetTemperature, nvml::kTemperatureGpu,
             &celsius)) {
    gpu.temperature_kelvin = celsius + kCelsiusZeroKelvin;
  }
  if (r.call("slowdown_temperature", "nvmlDeviceGetTemperatureThreshold", lib.nvmlDeviceGetTemperatureThreshold,
             nvml::kThresholdSlowdown, &celsius)) {
    gpu.slowdown_temperature_kelvin = celsius + kCelsiusZeroKelvin;
  }
  unsigned milliwatts = 0;
  if (r.call("power_limit", "nvmlDeviceGetEnforcedPowerLimit", lib.nvmlDeviceGetEnforcedPowerLimit, &milliwatts)) {
    gpu.power_limit_watts = milliwatts / 1e3;
  }
  if (r.call("default_power_limit", "nvmlDeviceGetPowerManagementDefaultLimit",
             lib.nvmlDeviceGetPowerManagementDefaultLimit, &milliwatts)) {
    gpu.default_power_limit_watts = milliwatts / 1e3;
  }
  nvml::Memory memory{};
  if (r.call("memory_total", "nvmlDeviceGetMemoryInfo", lib.nvmlDeviceGetMemoryInfo, &memory)) {
    gpu.memory_total_bytes = memory.total;
  }
}

GpuHealthSnapshot read_gpu(const NvmlLibrary& lib, unsigned index) {
  GpuHealthSnapshot gpu;
  gpu.index = index;
  nvml::Device device = nullptr;
  if (const nvml::Return rc = lib.nvmlDeviceGetHandleByIndex_v2(index, &device); rc != nvml::kSuccess) {
    // e.g. NVML_ERROR_INSUFFICIENT_POWER (power cables not attached) or GPU_IS_LOST.
    gpu.lost = "nvmlDeviceGetHandleByIndex_v2: " + lib.error_text(rc);
    return gpu;
  }
  GpuReader r(lib, gpu, device);
  char text[nvml::kNameBufferSize > nvml::kUuidBufferSize ? nvml::kNameBufferSize : nvml::kUuidBufferSize] = {};
  if (const nvml::Return rc = lib.nvmlDeviceGetName(device, text, nvml::kNameBufferSize); rc != nvml::kSuccess) {
    gpu.lost = "nvmlDeviceGetName: " + lib.error_text(rc);
    return gpu;
  }
  gpu.name = text_of(text);
  if (const nvml::Return rc = lib.nvmlDeviceGetUUID(device, text, nvml::kUuidBufferSize); rc != nvml::kSuccess) {
    gpu.lost = "nvmlDeviceGetUUID: " + lib.error_text(rc);
    return gpu;
  }
  gpu.uuid = text_of(text);
  read_identity(lib, r, gpu);
  read_pcie(lib, r, gpu.pcie);
  read_ecc(lib, r, gpu);
  read_retired_pages(lib, r, gpu.retired_pages);
  read_remapped_rows(lib, r, gpu);
  read_clocks(lib, r, gpu);
  read_thermal_and_power(lib, r, gpu);
  return gpu;
}

std::optional<std::string> system_text(nvml::Return (*fn)(char*, unsigned)) {
  if (fn == nullptr) return std::nullopt;
  char text[nvml::kSystemVersionBufferSize] = {};
  if (fn(text, nvml::kSystemVersionBufferSize) != nvml::kSuccess) return std::nullopt;
  return text_of(text);
}

}  // namespace

Expected<NodeGpuHealth> read_gpu_health(const NvmlLibrary& lib) {
  NodeGpuHealth node;
  node.library = lib.path;
  node.taken_at = iso_utc(std::chrono::system_clock::now());
  node.driver_version = system_text(lib.nvmlSystemGetDriverVersion);
  node.nvml_version = system_text(lib.nvmlSystemGetNVMLVersion);
  // The clock reasons have two names; lacking one of them loses nothing.
  const bool has_reasons =
      lib.nvmlDeviceGetCurrentClocksEventReasons != nullptr || lib.nvmlDeviceGetCurrentClocksThrottleReasons != nullptr;
  for (const std::string& fn : lib.missing_optional) {
    if (has_reasons && fn.starts_with("nvmlDeviceGetCurrentClocks")) continue;
    node.missing_functions.push_back(fn);
  }
  unsigned count = 0;
  if (const nvml::Return rc = lib.nvmlDeviceGetCount_v2(&count); rc != nvml::kSuccess) {
    return environment_error("nvml: nvmlDeviceGetCount_v2 failed: " + lib.error_text(rc));
  }
  for (unsigned index = 0; index < count; ++index) node.gpus.push_back(read_gpu(lib, index));
  return node;
}

Expected<unsigned> count_nvidia_gpus(const std::string& library) {
  Expected<std::shared_ptr<NvmlLibrary>> lib = load_nvml(library);
  if (!lib) return lib.error();
  unsigned count = 0;
  if (const nvml::Return rc = (*lib)->nvmlDeviceGetCount_v2(&count); rc != nvml::kSuccess) {
    return environment_error("nvml: nvmlDeviceGetCount_v2 failed: " + (*lib)->error_text(rc));
  }
  if (count == 0) return environment_error("no NVIDIA GPU (NVML reports 0 devices)");
  return count;
}

Expected<NodeGpuHealth> read_gpu_health(const std::string& library) {
  Expected<std::shared_ptr<NvmlLibrary>> lib = load_nvml(library);
  if (!lib) return lib.error();
  Expected<NodeGpuHealth> health = read_gpu_health(**lib);
  if (health && health->gpus.empty()) return environment_error("no NVIDIA GPU (NVML reports 0 devices)");
  return health;
}

}  // namespace assay
