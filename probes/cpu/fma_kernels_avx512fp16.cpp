// AVX512-FP16 kernel; compiled with -mavx512f -mavx512fp16 only (see fma_kernels.h for
// what this file may and may not use). Written without FP16 hardware to run it on:
// its output is checked like every other kernel's, so a mistake fails the probe
// rather than giving a figure.
#include "probes/cpu/fma_kernels.h"

#if defined(__x86_64__)

#include <immintrin.h>

namespace assay::fma_detail {

// The same two-FMA step as FP32/FP64, with k2 = -k1/m (see default_fma_operands) so
// every value returns to its start each iteration: FP16's 11-bit significand holds
// integers only up to 2048, and 16 accumulators x 32 lanes already start at up to 513,
// so there is no room to count iterations. 2x+1 <= 1027 stays exact.
void avx512_fp16(const FmaOperands& operands, std::uint64_t iterations, double* out) {
  constexpr int kAcc = kAvx512Accumulators;
  constexpr int kLanes = 32;
  const __m512h m = _mm512_set1_ph(static_cast<_Float16>(operands.multiplier));
  const __m512h inv = _mm512_set1_ph(static_cast<_Float16>(operands.inverse));
  const __m512h k1 = _mm512_set1_ph(static_cast<_Float16>(operands.addend));
  const __m512h k2 = _mm512_set1_ph(static_cast<_Float16>(operands.second_addend));
  __m512h x[kAcc];
  for (int i = 0; i < kAcc; ++i) {
    alignas(64) _Float16 start[kLanes];
    for (int l = 0; l < kLanes; ++l) {
      start[l] = static_cast<_Float16>(operands.start + i * kLanes + l);
    }
    x[i] = _mm512_load_ph(start);
  }
  for (std::uint64_t n = 0; n < iterations; ++n) {
#pragma GCC unroll 32
    for (int i = 0; i < kAcc; ++i) x[i] = _mm512_fmadd_ph(x[i], m, k1);
#pragma GCC unroll 32
    for (int i = 0; i < kAcc; ++i) x[i] = _mm512_fmadd_ph(x[i], inv, k2);
  }
  for (int i = 0; i < kAcc; ++i) {
    alignas(64) _Float16 values[kLanes];
    _mm512_store_ph(values, x[i]);
    for (int l = 0; l < kLanes; ++l) out[i * kLanes + l] = static_cast<double>(values[l]);
  }
}

}  // namespace assay::fma_detail

#endif  // __x86_64__
