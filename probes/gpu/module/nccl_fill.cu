#include "probes/gpu/module/nccl_fill.h"

namespace assay::gpu {
namespace {

__global__ void fill_kernel(float* data, std::uint64_t count, NcclFill fill) {
  const std::uint64_t stride = static_cast<std::uint64_t>(gridDim.x) * blockDim.x;
  for (std::uint64_t i = static_cast<std::uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += stride) {
    data[i] = nccl_fill_value(fill, i);
  }
}

}  // namespace

cudaError_t fill_nccl_send(float* data, std::uint64_t count, const NcclFill& fill, cudaStream_t stream) {
  if (count == 0) return cudaSuccess;
  constexpr unsigned threads = 256;
  constexpr std::uint64_t most_blocks = 65535ULL * 8;
  const std::uint64_t wanted = (count + threads - 1) / threads;
  const auto blocks = static_cast<unsigned>(wanted < most_blocks ? wanted : most_blocks);
  fill_kernel<<<blocks, threads, 0, stream>>>(data, count, fill);
  return cudaGetLastError();
}

}  // namespace assay::gpu
