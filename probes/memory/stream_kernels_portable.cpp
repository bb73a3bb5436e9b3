// STREAM kernels in plain C++: the compiler vectorises them for the baseline ISA of
// the build. They are the fallback and the yardstick for the hand-written ones.

#include "probes/memory/stream_kernels.h"

namespace assay {
namespace {

void copy(const double* __restrict a, double* __restrict c, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) c[i] = a[i];
}

void scale(const double* __restrict c, double* __restrict b, double scalar, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) b[i] = scalar * c[i];
}

void add(const double* __restrict a, const double* __restrict b, double* __restrict c,
         std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) c[i] = a[i] + b[i];
}

void triad(const double* __restrict b, const double* __restrict c, double* __restrict a,
           double scalar, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) a[i] = b[i] + scalar * c[i];
}

}  // namespace

const StreamKernels& stream_kernels_portable() {
  static const StreamKernels kernels{StreamIsa::portable, false, copy, scale, add, triad};
  return kernels;
}

}  // namespace assay
