#pragma once
// interconnect.nccl: all-reduce, all-gather, reduce-scatter and all-to-all through NCCL
// over every selected GPU of every process of the job (one NCCL rank per GPU), in the
// manner of nccl-tests: a size sweep, warm-up, timed calls measured with CUDA events,
// the slowest GPU's time, algbw and busbw by nccl-tests' formulas (bus_bandwidth.h),
// sampled results checked exactly. The NCCL unique id is made by the process of
// Communicator rank 0 and broadcast through assay's Communicator. Key
// interconnect.nccl.<collective>.busbw at the largest size; the sweep is kept in one
// table per collective. See docs/probes/gpu.md.

#include <functional>
#include <memory>

#include "probes/gpu/gpu_module_loader.h"
#include "probes/probe.h"

namespace assay {

std::unique_ptr<Probe> make_interconnect_nccl_probe();

namespace gpu {

/// The same probe over the GPU setup `setup` returns (tests pass a stand-in module and
/// devices); make_interconnect_nccl_probe() uses gpu_setup().
std::unique_ptr<Probe> make_nccl_probe_with(std::function<const GpuSetup&()> setup);

}  // namespace gpu
}  // namespace assay
