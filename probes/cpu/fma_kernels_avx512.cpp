// AVX-512 FP64/FP32 kernels and the FMA-loaded clock chain; compiled with
// -mavx512f -mfma only (see fma_kernels.h for what this file may and may not use).
#include "probes/cpu/fma_kernels.h"

#if defined(__x86_64__)

#include <immintrin.h>

#include "probes/cpu/clock_kernel.h"

namespace assay::fma_detail {
namespace {

constexpr int kAcc = kAvx512Accumulators;

// 16 chains of two dependent FMAs: with 4-5 cycles of FMA latency and two FMA pipes a
// core needs 8-10 independent FMAs in flight; 16 leaves margin and, with the four
// operand registers, uses 20 of the 32 zmm registers, so nothing is spilled.
void run_pd(const FmaOperands& operands, std::uint64_t iterations, double* out) {
  const __m512d m = _mm512_set1_pd(operands.multiplier);
  const __m512d inv = _mm512_set1_pd(operands.inverse);
  const __m512d k1 = _mm512_set1_pd(operands.addend);
  const __m512d k2 = _mm512_set1_pd(operands.second_addend);
  const __m512d lane = _mm512_set_pd(7, 6, 5, 4, 3, 2, 1, 0);
  __m512d x[kAcc];
#pragma GCC unroll 32
  for (int a = 0; a < kAcc; ++a) {
    x[a] = _mm512_add_pd(_mm512_set1_pd(operands.start + a * 8), lane);
  }
  for (std::uint64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 32
    for (int a = 0; a < kAcc; ++a) x[a] = _mm512_fmadd_pd(x[a], m, k1);
#pragma GCC unroll 32
    for (int a = 0; a < kAcc; ++a) x[a] = _mm512_fmadd_pd(x[a], inv, k2);
  }
#pragma GCC unroll 32
  for (int a = 0; a < kAcc; ++a) _mm512_storeu_pd(out + a * 8, x[a]);
}

void run_ps(const FmaOperands& operands, std::uint64_t iterations, double* out) {
  const __m512 m = _mm512_set1_ps(static_cast<float>(operands.multiplier));
  const __m512 inv = _mm512_set1_ps(static_cast<float>(operands.inverse));
  const __m512 k1 = _mm512_set1_ps(static_cast<float>(operands.addend));
  const __m512 k2 = _mm512_set1_ps(static_cast<float>(operands.second_addend));
  const __m512 lane = _mm512_set_ps(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  __m512 x[kAcc];
#pragma GCC unroll 32
  for (int a = 0; a < kAcc; ++a) {
    x[a] = _mm512_add_ps(_mm512_set1_ps(static_cast<float>(operands.start + a * 16)), lane);
  }
  for (std::uint64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 32
    for (int a = 0; a < kAcc; ++a) x[a] = _mm512_fmadd_ps(x[a], m, k1);
#pragma GCC unroll 32
    for (int a = 0; a < kAcc; ++a) x[a] = _mm512_fmadd_ps(x[a], inv, k2);
  }
  for (int a = 0; a < kAcc; ++a) {
    // GCC 12 warns falsely inside the widening intrinsics, so widen through memory;
    // float to double is exact, so the checker sees the FP32 values unchanged.
    float values[16];
    _mm512_storeu_ps(values, x[a]);
    for (int l = 0; l < 16; ++l) out[a * 16 + l] = static_cast<double>(values[l]);
  }
}

}  // namespace

void avx512_fp64(const FmaOperands& operands, std::uint64_t iterations, double* out) {
  run_pd(operands, iterations, out);
}

void avx512_fp32(const FmaOperands& operands, std::uint64_t iterations, double* out) {
  run_ps(operands, iterations, out);
}

// The clock under AVX-512 load: per iteration 32 dependent adds (32 cycles) and 32
// independent zmm FMAs, half of what two FMA pipes could take, so the FMA units and
// the core's power state are those of a heavy AVX-512 loop while the add chain, not
// the FMAs, sets the pace. Written as one asm block so the interleaving is exact.
std::uint64_t avx512_loaded_add_chain(std::uint64_t iterations) {
  if (iterations == 0) return 0;
  static_assert(kClockAddsPerIteration == 32, "the block below has 32 adds per iteration");
  __m512d a0 = _mm512_set1_pd(1.0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0,
          a7 = a0;
  // Values grow by 0.25 per FMA: far from overflow and never subnormal, whose slow
  // path would change the timing.
  const __m512d half = _mm512_set1_pd(0.5);
  std::uint64_t chain = 0;
  std::uint64_t left = iterations;
  const std::uint64_t step = 1;
#define ASSAY_ADD8                                                                         \
  "add %[step], %[chain]\n\tadd %[step], %[chain]\n\tadd %[step], %[chain]\n\t"           \
  "add %[step], %[chain]\n\tadd %[step], %[chain]\n\tadd %[step], %[chain]\n\t"           \
  "add %[step], %[chain]\n\tadd %[step], %[chain]\n\t"
#define ASSAY_FMA8                                                                         \
  "vfmadd231pd %[h], %[h], %[a0]\n\tvfmadd231pd %[h], %[h], %[a1]\n\t"                     \
  "vfmadd231pd %[h], %[h], %[a2]\n\tvfmadd231pd %[h], %[h], %[a3]\n\t"                     \
  "vfmadd231pd %[h], %[h], %[a4]\n\tvfmadd231pd %[h], %[h], %[a5]\n\t"                     \
  "vfmadd231pd %[h], %[h], %[a6]\n\tvfmadd231pd %[h], %[h], %[a7]\n\t"
  asm volatile(
      "1:\n\t"
      ASSAY_ADD8 ASSAY_FMA8 ASSAY_ADD8 ASSAY_FMA8 ASSAY_ADD8 ASSAY_FMA8 ASSAY_ADD8 ASSAY_FMA8
      "dec %[left]\n\t"
      "jnz 1b"
      : [chain] "+r"(chain), [left] "+r"(left), [a0] "+v"(a0), [a1] "+v"(a1), [a2] "+v"(a2),
        [a3] "+v"(a3), [a4] "+v"(a4), [a5] "+v"(a5), [a6] "+v"(a6), [a7] "+v"(a7)
      : [step] "r"(step), [h] "v"(half)
      : "cc");
#undef ASSAY_ADD8
#undef ASSAY_FMA8
  return chain;
}

}  // namespace assay::fma_detail

#endif  // __x86_64__
