// STREAM kernels with 256-bit vectors (this file alone is built with -mavx2 -mfma).
// Eight vectors (four cache lines) per step; streaming variants store with vmovntpd,
// which needs 32-byte aligned destinations, so they first walk element by element to
// the next cache-line boundary.

#include <immintrin.h>

#include <cstdint>

#include "probes/memory/stream_kernels.h"

namespace assay {
namespace {

constexpr std::size_t lanes = 4;  // doubles per __m256d

template <bool Streaming>
inline void store(double* p, __m256d v) {
  if constexpr (Streaming) {
    _mm256_stream_pd(p, v);
  } else {
    _mm256_storeu_pd(p, v);
  }
}

// Calls vector(i) on whole vectors and scalar(i) on the rest, for i in [0, count).
template <bool Streaming, class Vector, class Scalar>
inline void sweep(const double* destination, std::size_t count, Vector vector, Scalar scalar) {
  std::size_t i = 0;
  if constexpr (Streaming) {
    while (i < count && reinterpret_cast<std::uintptr_t>(destination + i) % 64 != 0) scalar(i++);
  }
  for (; i + 8 * lanes <= count; i += 8 * lanes) {
    for (std::size_t v = 0; v < 8; ++v) vector(i + v * lanes);
  }
  for (; i + lanes <= count; i += lanes) vector(i);
  for (; i < count; ++i) scalar(i);
  // Streaming stores are weakly ordered: fence so that the threads that validate the
  // arrays (or run the next kernel) see them.
  if constexpr (Streaming) _mm_sfence();
}

template <bool Streaming>
void copy(const double* __restrict a, double* __restrict c, std::size_t count) {
  sweep<Streaming>(
      c, count, [=](std::size_t i) { store<Streaming>(c + i, _mm256_loadu_pd(a + i)); },
      [=](std::size_t i) { c[i] = a[i]; });
}

template <bool Streaming>
void scale(const double* __restrict c, double* __restrict b, double scalar, std::size_t count) {
  const __m256d s = _mm256_set1_pd(scalar);
  sweep<Streaming>(
      b, count,
      [=](std::size_t i) { store<Streaming>(b + i, _mm256_mul_pd(s, _mm256_loadu_pd(c + i))); },
      [=](std::size_t i) { b[i] = scalar * c[i]; });
}

template <bool Streaming>
void add(const double* __restrict a, const double* __restrict b, double* __restrict c,
         std::size_t count) {
  sweep<Streaming>(
      c, count,
      [=](std::size_t i) {
        store<Streaming>(c + i, _mm256_add_pd(_mm256_loadu_pd(a + i), _mm256_loadu_pd(b + i)));
      },
      [=](std::size_t i) { c[i] = a[i] + b[i]; });
}

template <bool Streaming>
void triad(const double* __restrict b, const double* __restrict c, double* __restrict a,
           double scalar, std::size_t count) {
  const __m256d s = _mm256_set1_pd(scalar);
  sweep<Streaming>(
      a, count,
      [=](std::size_t i) {
        store<Streaming>(a + i, _mm256_fmadd_pd(s, _mm256_loadu_pd(c + i), _mm256_loadu_pd(b + i)));
      },
      [=](std::size_t i) { a[i] = b[i] + scalar * c[i]; });
}

}  // namespace

const StreamKernels& stream_kernels_avx2(bool streaming_stores) {
  static const StreamKernels temporal{StreamIsa::avx2, false,      copy<false>,
                                      scale<false>,    add<false>, triad<false>};
  static const StreamKernels streaming{StreamIsa::avx2, true,      copy<true>,
                                       scale<true>,     add<true>, triad<true>};
  return streaming_stores ? streaming : temporal;
}

}  // namespace assay
