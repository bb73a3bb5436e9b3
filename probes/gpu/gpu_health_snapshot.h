#pragma once
// What NVML says about each GPU's health at one moment: identity, PCIe link, ECC mode
// and error counts, retired pages and remapped rows, clocks and their event reasons,
// temperature, power limits, memory. Read through NvmlLibrary (dlopen), so it runs
// against the driver's library or a test's stand-in alike. Judging the readings is
// gpu_health_judgement.h; this file only reads and decodes them.
//
// Every reading is optional: a driver may lack the function (older NVML) or the GPU may
// not support it (no ECC on a GeForce, no row remapping before Ampere or with MIG on).
// `unavailable` says why each missing one is missing.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/expected.h"
#include "probes/power/nvml_library.h"

namespace assay {

/// PCIe link of one GPU. NVML's "max" is what the GPU and its slot allow together; the
/// GPU's own maximum generation is separate so a slot that holds it back can be named.
struct PcieLinkReading {
  std::optional<unsigned> gen_current;
  std::optional<unsigned> gen_max;      ///< nvmlDeviceGetMaxPcieLinkGeneration: GPU and slot
  std::optional<unsigned> gen_gpu_max;  ///< nvmlDeviceGetGpuMaxPcieLinkGeneration: the GPU alone
  std::optional<unsigned> width_current;
  std::optional<unsigned> width_max;    ///< lanes the GPU and slot allow together
};

/// nvmlDeviceGetTotalEccErrors: volatile counts since the driver was loaded, aggregate
/// counts over the GPU's life.
struct EccCounts {
  std::optional<std::uint64_t> volatile_corrected;
  std::optional<std::uint64_t> volatile_uncorrected;
  std::optional<std::uint64_t> aggregate_corrected;
  std::optional<std::uint64_t> aggregate_uncorrected;
};

/// Page retirement (before Ampere): pages retired per cause, and whether some wait for
/// a reboot to be retired.
struct RetiredPagesReading {
  std::optional<unsigned> multiple_single_bit;
  std::optional<unsigned> double_bit;
  std::optional<bool> pending;
};

/// Row remapping (Ampere and later).
struct RemappedRowsReading {
  unsigned corrected = 0;    ///< rows remapped for correctable errors
  unsigned uncorrected = 0;  ///< rows remapped for uncorrectable errors
  bool pending = false;      ///< a remapping waits for a GPU reset
  bool failure = false;      ///< a remapping failed (a bank ran out of spare rows)
};

struct GpuHealthSnapshot {
  unsigned index = 0;  ///< NVML's index: subject "gpu<index>"
  std::string name;    ///< the model, e.g. "NVIDIA H100 80GB HBM3"
  std::string uuid;
  /// Non-empty when NVML could not read this GPU at all (fallen off the bus, not
  /// powered): NVML's message. The readings below are then empty.
  std::string lost;
  std::optional<std::string> serial;
  std::optional<std::string> pci_bus_id;  ///< "00000000:18:00.0"
  std::optional<std::string> vbios_version;
  PcieLinkReading pcie;
  std::optional<bool> ecc_enabled;          ///< current ECC mode
  std::optional<bool> ecc_pending_enabled;  ///< the mode after the next reboot
  EccCounts ecc;
  RetiredPagesReading retired_pages;
  std::optional<RemappedRowsReading> remapped_rows;
  std::optional<double> sm_clock_hz;
  std::optional<double> sm_clock_max_hz;
  std::optional<double> memory_clock_hz;
  std::optional<double> memory_clock_max_hz;
  std::optional<std::uint64_t> clocks_event_reasons;  ///< nvmlClocksEventReason* bitmask
  std::optional<double> temperature_kelvin;           ///< GPU die sensor
  std::optional<double> slowdown_temperature_kelvin;  ///< where hardware slowdown begins
  std::optional<double> power_limit_watts;            ///< enforced, after every limiter
  std::optional<double> default_power_limit_watts;    ///< what the GPU boots with
  std::optional<std::uint64_t> memory_total_bytes;
  /// "what: why" for every reading this GPU could not give, e.g. "remapped_rows: not
  /// supported on this GPU (nvmlDeviceGetRemappedRows)". Readings whose function the
  /// library lacks are in NodeGpuHealth::missing_functions instead.
  std::vector<std::string> unavailable;
};

/// Every GPU of a node at one moment.
struct NodeGpuHealth {
  std::string library;  ///< the NVML library read, as given
  std::string taken_at;  ///< ISO 8601 UTC
  std::optional<std::string> driver_version;
  std::optional<std::string> nvml_version;
  /// Health functions this NVML lacks (an older driver): the readings that need them
  /// are missing on every GPU, so they are said once here rather than per GPU.
  std::vector<std::string> missing_functions;
  std::vector<GpuHealthSnapshot> gpus;
};

/// Reads every GPU through `lib`. An environment Error only when the GPUs cannot be
/// counted; a GPU that cannot be read is kept with `lost` set, so the judgement names it.
Expected<NodeGpuHealth> read_gpu_health(const NvmlLibrary& lib);

/// Whether `library` (empty: the driver's soname) loads and sees a GPU: their count, or
/// the environment Error read_gpu_health() would give. Cheaper than reading them.
Expected<unsigned> count_nvidia_gpus(const std::string& library);

/// Loads `library` (empty: the driver's soname), reads, and unloads it. Environment
/// Errors: "NVML not available: ...", or "no NVIDIA GPU (NVML reports 0 devices)".
Expected<NodeGpuHealth> read_gpu_health(const std::string& library);

}  // namespace assay
