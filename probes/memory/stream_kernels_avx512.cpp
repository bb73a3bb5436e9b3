// STREAM kernels with 512-bit vectors (this file alone is built with -mavx512f).
// Four vectors (four cache lines) per step keep enough loads in flight; streaming
// variants store with vmovntpd, which needs 64-byte aligned destinations, so they
// first walk element by element to the next line boundary.

#include <immintrin.h>

#include <cstdint>

#include "probes/memory/stream_kernels.h"

namespace assay {
namespace {

constexpr std::size_t lanes = 8;  // doubles per __m512d

template <bool Streaming>
inline void store(double* p, __m512d v) {
  if constexpr (Streaming) {
    _mm512_stream_pd(p, v);
  } else {
    _mm512_storeu_pd(p, v);
  }
}

// Calls vector(i) on whole vectors and scalar(i) on the rest, for i in [0, count).
template <bool Streaming, class Vector, class Scalar>
inline void sweep(const double* destination, std::size_t count, Vector vector, Scalar scalar) {
  std::size_t i = 0;
  if constexpr (Streaming) {
    while (i < count && reinterpret_cast<std::uintptr_t>(destination + i) % 64 != 0) scalar(i++);
  }
  for (; i + 4 * lanes <= count; i += 4 * lanes) {
    vector(i);
    vector(i + lanes);
    vector(i + 2 * lanes);
    vector(i + 3 * lanes);
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
      c, count, [=](std::size_t i) { store<Streaming>(c + i, _mm512_loadu_pd(a + i)); },
      [=](std::size_t i) { c[i] = a[i]; });
}

template <bool Streaming>
void scale(const double* __restrict c, double* __restrict b, double scalar, std::size_t count) {
  const __m512d s = _mm512_set1_pd(scalar);
  sweep<Streaming>(
      b, count,
      [=](std::size_t i) { store<Streaming>(b + i, _mm512_mul_pd(s, _mm512_loadu_pd(c + i))); },
      [=](std::size_t i) { b[i] = scalar * c[i]; });
}

template <bool Streaming>
void add(const double* __restrict a, const double* __restrict b, double* __restrict c,
         std::size_t count) {
  sweep<Streaming>(
      c, count,
      [=](std::size_t i) {
        store<Streaming>(c + i, _mm512_add_pd(_mm512_loadu_pd(a + i), _mm512_loadu_pd(b + i)));
      },
      [=](std::size_t i) { c[i] = a[i] + b[i]; });
}

template <bool Streaming>
void triad(const double* __restrict b, const double* __restrict c, double* __restrict a,
           double scalar, std::size_t count) {
  const __m512d s = _mm512_set1_pd(scalar);
  sweep<Streaming>(
      a, count,
      [=](std::size_t i) {
        store<Streaming>(a + i, _mm512_fmadd_pd(s, _mm512_loadu_pd(c + i), _mm512_loadu_pd(b + i)));
      },
      [=](std::size_t i) { a[i] = b[i] + scalar * c[i]; });
}

}  // namespace

const StreamKernels& stream_kernels_avx512(bool streaming_stores) {
  static const StreamKernels temporal{StreamIsa::avx512, false,      copy<false>,
                                      scale<false>,      add<false>, triad<false>};
  static const StreamKernels streaming{StreamIsa::avx512, true,      copy<true>,
                                       scale<true>,       add<true>, triad<true>};
  return streaming_stores ? streaming : temporal;
}

}  // namespace assay
