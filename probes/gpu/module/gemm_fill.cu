#include "probes/gpu/module/gemm_fill.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>

#include "probes/gpu/gemm_pattern.h"

namespace assay::gpu {
namespace {

template <class T>
__device__ T convert(double value);
template <>
__device__ double convert<double>(double value) { return value; }
template <>
__device__ float convert<float>(double value) { return static_cast<float>(value); }
template <>
__device__ __half convert<__half>(double value) { return __float2half_rn(static_cast<float>(value)); }
template <>
__device__ __nv_bfloat16 convert<__nv_bfloat16>(double value) { return __float2bfloat16_rn(static_cast<float>(value)); }
template <>
__device__ __nv_fp8_e4m3 convert<__nv_fp8_e4m3>(double value) { return __nv_fp8_e4m3(static_cast<float>(value)); }
template <>
__device__ signed char convert<signed char>(double value) { return static_cast<signed char>(value); }

template <class T>
__global__ void fill_kernel(T* data, std::int64_t rows, std::int64_t columns, bool transposed, std::uint64_t seed,
                            GemmValueRange range) {
  const std::int64_t count = rows * columns;
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t index = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; index < count;
       index += stride) {
    const auto r = static_cast<std::uint64_t>(index % rows), c = static_cast<std::uint64_t>(index / rows);
    const double value = transposed ? gemm_input_value(range, seed, c, r) : gemm_input_value(range, seed, r, c);
    data[index] = convert<T>(value);
  }
}

template <class T>
cudaError_t launch(void* data, std::int64_t rows, std::int64_t columns, bool transposed, std::uint64_t seed,
                   GemmValueRange range, cudaStream_t stream) {
  constexpr int threads = 256;
  const std::int64_t count = rows * columns;
  const std::int64_t wanted = (count + threads - 1) / threads;
  const unsigned blocks = static_cast<unsigned>(wanted < 65535 * 8 ? wanted : 65535 * 8);
  fill_kernel<T><<<blocks, threads, 0, stream>>>(static_cast<T*>(data), rows, columns, transposed, seed, range);
  return cudaGetLastError();
}

}  // namespace

cudaError_t fill_gemm_input(GemmPrecision precision, void* data, std::int64_t rows, std::int64_t columns,
                            bool transposed, std::uint64_t seed, cudaStream_t stream) {
  const GemmValueRange range = gemm_value_range(precision);
  switch (precision) {
    case GemmPrecision::fp64: return launch<double>(data, rows, columns, transposed, seed, range, stream);
    case GemmPrecision::fp32:
    case GemmPrecision::tf32: return launch<float>(data, rows, columns, transposed, seed, range, stream);
    case GemmPrecision::bf16: return launch<__nv_bfloat16>(data, rows, columns, transposed, seed, range, stream);
    case GemmPrecision::fp16: return launch<__half>(data, rows, columns, transposed, seed, range, stream);
    case GemmPrecision::fp8: return launch<__nv_fp8_e4m3>(data, rows, columns, transposed, seed, range, stream);
    case GemmPrecision::int8: return launch<signed char>(data, rows, columns, transposed, seed, range, stream);
  }
  return cudaErrorInvalidValue;
}

}  // namespace assay::gpu
