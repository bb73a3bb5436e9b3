#pragma once
// Filling gpu.gemm's input matrices on the device from gemm_pattern.h, so no host copy
// of them is needed and the host can compute any reference entry.

#include <cuda_runtime_api.h>

#include <cstdint>

#include "probes/gpu/gpu_module.h"

namespace assay::gpu {

/// Fills a column-major matrix of `rows` x `columns` elements of `precision`'s input type
/// (leading dimension `rows`). Stored element (r, c) is logical entry (c, r) when
/// `transposed` (A in the TN layout: stored k x m, logical m x k), else (r, c).
cudaError_t fill_gemm_input(GemmPrecision precision, void* data, std::int64_t rows, std::int64_t columns,
                            bool transposed, std::uint64_t seed, cudaStream_t stream);

}  // namespace assay::gpu
