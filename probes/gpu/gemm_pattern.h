#pragma once
// The values gpu.gemm multiplies, defined once for the device (which fills A and B with
// them) and the host (which computes reference entries of D from them), so checking D
// needs no copy of A or B.
//
// Each entry is j / scale with j a pseudo-random integer, chosen so that every value is
// exact in the input type (8 significant bits for the 16- and 32-bit float types, 4 for
// FP8 E4M3, integers for INT8) while still using the type's bits as real data does: all-
// zero or constant matrices draw less power and would flatter the figure. Products are
// then exact, and the reference, summed in double, is exact too.
//
// Header-only and free of CUDA includes: nvcc compiles it as host+device code.

#include <cstdint>

#include "probes/gpu/gpu_module.h"

#if defined(__CUDACC__)
#define ASSAY_HOST_DEVICE __host__ __device__
#else
#define ASSAY_HOST_DEVICE
#endif

namespace assay::gpu {

/// The integer range and scale of one input type's values: j in [lowest, highest],
/// value j / scale.
struct GemmValueRange {
  int lowest = 0;
  int highest = 0;
  double scale = 1;
};

/// 16- and 32-bit floats: j / 64, |j| <= 128: 8 significant bits, exact in BF16 (8),
/// FP16 (11), TF32 (11), FP32 and FP64.
inline constexpr GemmValueRange kFloatValues{-128, 127, 64.0};
/// FP8 E4M3 (4 significant bits, normal range from 2^-6): j / 8, |j| <= 15.
inline constexpr GemmValueRange kFp8Values{-15, 15, 8.0};
/// INT8 with INT32 accumulation: any int8; k * 128^2 stays below 2^31 for k < 131072.
inline constexpr GemmValueRange kInt8Values{-128, 127, 1.0};

/// A well-mixed 64-bit hash of (seed, row, column) (splitmix64's finaliser).
ASSAY_HOST_DEVICE inline std::uint64_t gemm_hash(std::uint64_t seed, std::uint64_t row, std::uint64_t column) {
  std::uint64_t z = seed ^ (row * 0x9e3779b97f4a7c15ULL) ^ ((column + 1) * 0xc2b2ae3d27d4eb4fULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// Entry (row, column) of a logical input matrix (A is m x k, B is k x n), as a double.
ASSAY_HOST_DEVICE inline double gemm_input_value(GemmValueRange range, std::uint64_t seed, std::uint64_t row,
                                                 std::uint64_t column) {
  const auto span = static_cast<std::uint64_t>(range.highest - range.lowest + 1);
  const auto j = static_cast<int>(gemm_hash(seed, row, column) % span) + range.lowest;
  return static_cast<double>(j) / range.scale;
}

/// The values A and B hold for `precision`.
ASSAY_HOST_DEVICE inline GemmValueRange gemm_value_range(GemmPrecision precision) {
  switch (precision) {
    case GemmPrecision::fp8: return kFp8Values;
    case GemmPrecision::int8: return kInt8Values;
    default: return kFloatValues;
  }
}

}  // namespace assay::gpu
