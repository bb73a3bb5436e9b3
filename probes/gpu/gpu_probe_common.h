#pragma once
// What the GPU probes share on the host side: their availability, the `devices`
// parameter, and running one operation on several GPUs at once with their timed parts
// started together.

#include <functional>
#include <string>
#include <vector>

#include "core/expected.h"
#include "core/params.h"
#include "probes/gpu/gpu_module.h"
#include "probes/gpu/gpu_module_loader.h"
#include "probes/probe.h"

namespace assay::gpu {

/// Available when the module loaded and the CUDA runtime sees a device; the reason
/// otherwise (gpu_module_loader.h).
Availability gpu_probe_availability();

/// The `devices` parameter every GPU probe takes.
ParamSpec devices_param();

/// The `concurrent` flag of the probes that also run all GPUs at once (gpuN@all).
ParamSpec concurrent_param();

/// The devices `text` names: "all" (every device of this process) or a comma-separated
/// list of CUDA ordinals ("0,2,3"). A bad_input Error naming `probe` and the parameter
/// for an unknown ordinal, a duplicate or an empty list.
Expected<std::vector<int>> parse_devices(std::string_view probe, std::string_view text, int device_count);

/// Runs `operation(device, control)` for every device in `devices` on its own thread.
/// Each gets a Control whose before_timing waits until all have finished their warm-up,
/// so their timed parts overlap (one host thread per GPU, as the rated aggregate
/// figures assume). Returns after all have returned.
void run_on_devices_together(const std::vector<int>& devices, const std::atomic<bool>* cancel,
                             const std::function<void(int device, const Control& control)>& operation);

/// Subject of a figure measured while every selected GPU of the node ran at once:
/// "gpu3@all".
std::string concurrent_subject(int device);

/// A skipped result saying `reason`.
ProbeResult skipped_result(ProbeResult result, std::string reason);

}  // namespace assay::gpu
