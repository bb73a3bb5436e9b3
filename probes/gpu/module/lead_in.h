#pragma once
// A kernel that only waits, queued ahead of a timed section so the GPU is busy while the
// host queues the section's start event, work and stop event (section_timer.h).

#include <cuda_runtime_api.h>

namespace assay::gpu {

/// Queues a one-thread kernel on `stream` that returns after `nanoseconds` of the GPU's
/// global timer.
cudaError_t launch_lead_in(unsigned long long nanoseconds, cudaStream_t stream);

}  // namespace assay::gpu
