#pragma once
// gpu.health: every NVIDIA GPU's health through NVML (dlopen): identity, PCIe link,
// ECC and memory repair, clocks, temperature, power limit. In a run it is compared with
// the baseline taken with the node's inventory at the start and fails a GPU for new
// uncorrectable errors, failed or pending memory repair, or a PCIe link below its
// maximum; alone, the same rules apply to one reading. See docs/probes/gpu.md.

#include <memory>

#include "probes/probe.h"

namespace assay {

std::unique_ptr<Probe> make_gpu_health_probe();

}  // namespace assay
