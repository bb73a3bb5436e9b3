#pragma once
// Filling interconnect.nccl's send buffers on the device from nccl_pattern.h, so the
// host never copies the data and can compute any expected entry.

#include <cuda_runtime_api.h>

#include <cstdint>

#include "probes/gpu/nccl_pattern.h"

namespace assay::gpu {

/// Enqueues on `stream` a kernel writing nccl_fill_value(fill, i) to data[i] for every
/// i < count; returns the launch status.
cudaError_t fill_nccl_send(float* data, std::uint64_t count, const NcclFill& fill, cudaStream_t stream);

}  // namespace assay::gpu
