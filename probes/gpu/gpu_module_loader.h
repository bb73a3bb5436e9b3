#pragma once
// Finding and loading the CUDA module (gpu_module.h) at run time, and the one answer
// every GPU probe gives to "can you run here?".
//
// Order of the checks, so the reason names the first thing missing:
//   1. the module was built (nvcc found when assay was built);
//   2. the NVIDIA driver's libcuda.so.1 loads ("no CUDA device: driver not loaded");
//   3. the module loads (its cuBLASLt / NCCL libraries are found);
//   4. the CUDA runtime reports at least one device.

#include <optional>
#include <string>
#include <vector>

#include "probes/gpu/gpu_module.h"

namespace assay::gpu {

struct ModuleLoadOptions {
  /// The module file; empty: $ASSAY_GPU_MODULE, else libassay_gpu.so beside the running
  /// binary, else ../lib/assay/libassay_gpu.so from it.
  std::string module_path;
  /// Tests load the module on machines without the driver to exercise it; everything
  /// else checks for the driver first.
  bool require_driver = true;
  std::string driver_library = "libcuda.so.1";
};

/// A loaded module, or why there is none.
struct ModuleAccess {
  Module* module = nullptr;  ///< owned by the ModuleAccess (the process-wide one lives forever)
  std::string unavailable;   ///< empty when module is set
  std::string path;          ///< the file loaded or tried
  ~ModuleAccess();
  ModuleAccess() = default;
  ModuleAccess(ModuleAccess&& other) noexcept;
  ModuleAccess& operator=(ModuleAccess&&) = delete;
  ModuleAccess(const ModuleAccess&) = delete;
  ModuleAccess& operator=(const ModuleAccess&) = delete;
};

/// Loads a module as `options` say (a fresh one each call; the library stays loaded).
ModuleAccess load_gpu_module(const ModuleLoadOptions& options);

/// The devices of this process and the module's versions, or why GPU probes cannot run.
struct GpuSetup {
  Module* module = nullptr;
  std::vector<Device> devices;
  std::string versions;
  std::string unavailable;  ///< e.g. "no CUDA device: driver not loaded (libcuda.so.1: ...)"
  bool available() const { return unavailable.empty(); }
};

/// This process's GPU setup, determined once on first use (thread-safe) with default
/// options: every GPU probe's availability() and run() start here.
const GpuSetup& gpu_setup();

/// Why none of `devices` can run kernels built for `architectures` (compute capability
/// x 10: 80, 90, 100), or nullopt when one can.
std::optional<std::string> kernel_gap(const std::vector<Device>& devices, const std::vector<int>& architectures);

/// The setup a given module access yields (what gpu_setup() does after loading).
GpuSetup gpu_setup_from(const ModuleAccess& access);

/// "gpu3"
std::string gpu_subject(int index);

}  // namespace assay::gpu
