// Portable kernels: plain C++ the compiler maps to whatever the target has (SSE2 on
// x86-64, NEON with fused multiply-adds on AArch64 thanks to -ffp-contract=fast).
// They keep the probe running on any CPU; their FLOPs are counted the same way
// (2 per multiply-add), but no peak is derived for them because the instructions used
// are the compiler's choice.
#include "probes/cpu/fma_kernels.h"

namespace assay::fma_detail {
namespace {

constexpr int kChains = kPortableChains;

template <class T>
void run_chains(const FmaOperands& operands, std::uint64_t iterations, double* out) {
  const T m = static_cast<T>(operands.multiplier);
  const T inv = static_cast<T>(operands.inverse);
  const T k1 = static_cast<T>(operands.addend);
  const T k2 = static_cast<T>(operands.second_addend);
  T x[kChains];
  for (int c = 0; c < kChains; ++c) x[c] = static_cast<T>(operands.start + c);
  for (std::uint64_t i = 0; i < iterations; ++i) {
    // Fully unrolled so the chains live in registers rather than in x[] on the stack.
#pragma GCC unroll 32
    for (int c = 0; c < kChains; ++c) x[c] = x[c] * m + k1;
#pragma GCC unroll 32
    for (int c = 0; c < kChains; ++c) x[c] = x[c] * inv + k2;
  }
  for (int c = 0; c < kChains; ++c) out[c] = static_cast<double>(x[c]);
}

}  // namespace

void portable_fp64(const FmaOperands& operands, std::uint64_t iterations, double* out) {
  run_chains<double>(operands, iterations, out);
}

void portable_fp32(const FmaOperands& operands, std::uint64_t iterations, double* out) {
  run_chains<float>(operands, iterations, out);
}

}  // namespace assay::fma_detail
