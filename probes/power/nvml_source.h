#pragma once
// Power of NVIDIA GPUs through NVML (loaded with dlopen, nvml_library.h): one domain per
// GPU, "gpu<N>" by NVML index. Energy comes from nvmlDeviceGetTotalEnergyConsumption's
// counter, taken relative to its value at open, where the GPU has one (Volta and later);
// watts from nvmlDeviceGetPowerUsage (the board's power, averaged by the driver over
// about a second on most GPUs).

#include <memory>

#include "core/expected.h"
#include "probes/power/power_source.h"

namespace assay {

/// Opens NVML (options.library, default libnvidia-ml.so.1) and every GPU it reports.
/// An environment Error when NVML is absent or fails to initialise, when it reports no
/// GPU ("no NVIDIA GPU (NVML reports 0 devices)"), or when a GPU cannot be queried.
Expected<std::unique_ptr<PowerSource>> open_nvml_source(const PowerSourceOptions& options);

}  // namespace assay
