// AVX2+FMA FP64/FP32 kernels and the FMA-loaded clock chain; compiled with
// -mavx2 -mfma only (see fma_kernels.h for what this file may and may not use).
#include "probes/cpu/fma_kernels.h"

#if defined(__x86_64__)

#include <immintrin.h>

#include "probes/cpu/clock_kernel.h"

namespace assay::fma_detail {
namespace {

constexpr int kAcc = kAvx2Accumulators;

// 12 chains cover FMA latency x pipes up to 5 x 2 (Haswell) and, with the four operand
// registers, fill the 16 ymm registers exactly, so nothing is spilled.
void run_pd(const FmaOperands& operands, std::uint64_t iterations, double* out) {
  const __m256d m = _mm256_set1_pd(operands.multiplier);
  const __m256d inv = _mm256_set1_pd(operands.inverse);
  const __m256d k1 = _mm256_set1_pd(operands.addend);
  const __m256d k2 = _mm256_set1_pd(operands.second_addend);
  const __m256d lane = _mm256_set_pd(3, 2, 1, 0);
  __m256d x[kAcc];
#pragma GCC unroll 32
  for (int a = 0; a < kAcc; ++a) {
    x[a] = _mm256_add_pd(_mm256_set1_pd(operands.start + a * 4), lane);
  }
  for (std::uint64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 32
    for (int a = 0; a < kAcc; ++a) x[a] = _mm256_fmadd_pd(x[a], m, k1);
#pragma GCC unroll 32
    for (int a = 0; a < kAcc; ++a) x[a] = _mm256_fmadd_pd(x[a], inv, k2);
  }
#pragma GCC unroll 32
  for (int a = 0; a < kAcc; ++a) _mm256_storeu_pd(out + a * 4, x[a]);
}

void run_ps(const FmaOperands& operands, std::uint64_t iterations, double* out) {
  const __m256 m = _mm256_set1_ps(static_cast<float>(operands.multiplier));
  const __m256 inv = _mm256_set1_ps(static_cast<float>(operands.inverse));
  const __m256 k1 = _mm256_set1_ps(static_cast<float>(operands.addend));
  const __m256 k2 = _mm256_set1_ps(static_cast<float>(operands.second_addend));
  const __m256 lane = _mm256_set_ps(7, 6, 5, 4, 3, 2, 1, 0);
  __m256 x[kAcc];
#pragma GCC unroll 32
  for (int a = 0; a < kAcc; ++a) {
    x[a] = _mm256_add_ps(_mm256_set1_ps(static_cast<float>(operands.start + a * 8)), lane);
  }
  for (std::uint64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 32
    for (int a = 0; a < kAcc; ++a) x[a] = _mm256_fmadd_ps(x[a], m, k1);
#pragma GCC unroll 32
    for (int a = 0; a < kAcc; ++a) x[a] = _mm256_fmadd_ps(x[a], inv, k2);
  }
  for (int a = 0; a < kAcc; ++a) {
    // Widening to FP64 is exact, so the checker sees the FP32 values unchanged.
    _mm256_storeu_pd(out + a * 8, _mm256_cvtps_pd(_mm256_castps256_ps128(x[a])));
    _mm256_storeu_pd(out + a * 8 + 4, _mm256_cvtps_pd(_mm256_extractf128_ps(x[a], 1)));
  }
}

}  // namespace

void avx2_fp64(const FmaOperands& operands, std::uint64_t iterations, double* out) {
  run_pd(operands, iterations, out);
}

void avx2_fp32(const FmaOperands& operands, std::uint64_t iterations, double* out) {
  run_ps(operands, iterations, out);
}

// The clock under AVX2 load: 32 dependent adds and 32 independent ymm FMAs per
// iteration (half of two FMA pipes), as in avx512_loaded_add_chain().
std::uint64_t avx2_loaded_add_chain(std::uint64_t iterations) {
  if (iterations == 0) return 0;
  static_assert(kClockAddsPerIteration == 32, "the block below has 32 adds per iteration");
  __m256d a0 = _mm256_set1_pd(1.0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0,
          a7 = a0;
  const __m256d half = _mm256_set1_pd(0.5);
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
      : [chain] "+r"(chain), [left] "+r"(left), [a0] "+x"(a0), [a1] "+x"(a1), [a2] "+x"(a2),
        [a3] "+x"(a3), [a4] "+x"(a4), [a5] "+x"(a5), [a6] "+x"(a6), [a7] "+x"(a7)
      : [step] "r"(step), [h] "x"(half)
      : "cc");
#undef ASSAY_ADD8
#undef ASSAY_FMA8
  return chain;
}

}  // namespace assay::fma_detail

#endif  // __x86_64__
