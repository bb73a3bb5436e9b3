// AVX512_BF16 kernel; compiled with -mavx512f -mavx512bf16 only (see fma_kernels.h for
// what this file may and may not use).
#include "probes/cpu/fma_kernels.h"

#if defined(__x86_64__)

#include <immintrin.h>

namespace assay::fma_detail {

// vdpbf16ps x, a, b: every FP32 lane of x gains a[2l]*b[2l] + a[2l+1]*b[2l+1] from
// BF16 pairs. With a = (1/m, k2) and b = (k1, k1) every value is a small integer plus
// exact halves, so the FP32 sums are exact whatever order the hardware adds in.
// 16 chains cover a 6-cycle latency on two pipes.
void avx512_bf16(const FmaOperands& operands, std::uint64_t iterations, double* out) {
  constexpr int kAcc = kAvx512Accumulators;
  // FP32 element 2j holds 1/m and 2j+1 holds k2; cvtne2ps_pbh(v, v) converts v into both
  // halves of the BF16 vector, so every BF16 pair (2l, 2l+1) is (1/m, k2).
  const __m512 pairs =
      _mm512_mask_blend_ps(0xAAAA, _mm512_set1_ps(static_cast<float>(operands.inverse)),
                           _mm512_set1_ps(static_cast<float>(operands.second_addend)));
  const __m512 k1 = _mm512_set1_ps(static_cast<float>(operands.addend));
  const __m512bh a = _mm512_cvtne2ps_pbh(pairs, pairs);
  const __m512bh b = _mm512_cvtne2ps_pbh(k1, k1);
  const __m512 lane = _mm512_set_ps(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  __m512 x[kAcc];
#pragma GCC unroll 32
  for (int i = 0; i < kAcc; ++i) {
    x[i] = _mm512_add_ps(_mm512_set1_ps(static_cast<float>(operands.start + i * 16)), lane);
  }
  for (std::uint64_t n = 0; n < iterations; ++n) {
#pragma GCC unroll 32
    for (int i = 0; i < kAcc; ++i) x[i] = _mm512_dpbf16_ps(x[i], a, b);
  }
  for (int i = 0; i < kAcc; ++i) {
    // GCC 12 warns falsely inside the widening intrinsics, so widen through memory;
    // float to double is exact, so the checker sees the FP32 values unchanged.
    float values[16];
    _mm512_storeu_ps(values, x[i]);
    for (int l = 0; l < 16; ++l) out[i * 16 + l] = static_cast<double>(values[l]);
  }
}

}  // namespace assay::fma_detail

#endif  // __x86_64__
