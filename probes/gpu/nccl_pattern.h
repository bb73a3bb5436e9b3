#pragma once
// The data interconnect.nccl moves and the exact result each GPU must end with, defined
// once for the device (which fills the send buffers from it) and the host side of the
// module (which checks sampled entries of the receive buffers against it), so checking
// needs no copy of another rank's data.
//
// Everything is a small integer in float32, so every sum is exact whatever order NCCL
// adds in (ring, tree, NVLS, CollNet...) and a result is compared for equality:
//   - reductions (all_reduce, reduce_scatter): rank r contributes at element i the term
//     t(r, i) = (a(i) + b(r)) mod P + 1, an integer in [1, P], with a and b hashes mod P
//     and P = min(31, 2^24 / ranks), so the sum over all ranks stays <= 2^24 where
//     float32 holds every integer. The sum depends on i only through a(i): a table of P
//     sums (NcclExpectation) gives every expected entry in O(1);
//   - moved data (all_gather, all_to_all): the element at global position k is
//     m(k) = hash(k) mod (2^24 - 1) + 1, distinct enough that a block landing in the wrong
//     place or coming from the wrong rank is caught.
// Receive buffers are poisoned with 0xFF bytes (a NaN) before every timed sample, so an
// element the collective did not write never equals its expected value.
//
// Header-only and free of CUDA includes: nvcc compiles the fill part as host+device code.

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "probes/gpu/gpu_module.h"

#if !defined(ASSAY_HOST_DEVICE)
#if defined(__CUDACC__)
#define ASSAY_HOST_DEVICE __host__ __device__
#else
#define ASSAY_HOST_DEVICE
#endif
#endif

namespace assay::gpu {

/// Largest term of a reduction (a prime, so neighbouring hashes rarely give equal runs).
inline constexpr std::uint32_t kNcclLargestPeriod = 31;
/// Floats hold every integer up to 2^24.
inline constexpr std::uint64_t kNcclExactIntegers = std::uint64_t{1} << 24;

/// splitmix64's finaliser: a well-mixed 64-bit hash.
ASSAY_HOST_DEVICE inline std::uint64_t nccl_mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// P for `ranks` ranks: min(31, 2^24 / ranks), at least 1.
ASSAY_HOST_DEVICE inline std::uint32_t nccl_period(int ranks) {
  const std::uint64_t n = ranks < 1 ? 1 : static_cast<std::uint64_t>(ranks);
  const std::uint64_t p = kNcclExactIntegers / n;
  return static_cast<std::uint32_t>(p < 1 ? 1 : (p > kNcclLargestPeriod ? kNcclLargestPeriod : p));
}

/// a(i): the element's share of a reduction term, in [0, P).
ASSAY_HOST_DEVICE inline std::uint32_t nccl_element_phase(std::uint64_t index, std::uint32_t period) {
  return static_cast<std::uint32_t>(nccl_mix(index) % period);
}

/// b(r): the rank's share of a reduction term, in [0, P).
ASSAY_HOST_DEVICE inline std::uint32_t nccl_rank_phase(int rank, std::uint32_t period) {
  return static_cast<std::uint32_t>(nccl_mix(0x5eed0000ULL + static_cast<std::uint64_t>(rank)) % period);
}

/// t(r, i) = (a(i) + b(r)) mod P + 1.
ASSAY_HOST_DEVICE inline float nccl_reduction_term(int rank, std::uint64_t index, std::uint32_t period) {
  const std::uint32_t phase = (nccl_element_phase(index, period) + nccl_rank_phase(rank, period)) % period;
  return static_cast<float>(phase + 1);
}

/// m(k) = hash(k) mod (2^24 - 1) + 1: in [1, 2^24 - 1], exact in float.
ASSAY_HOST_DEVICE inline float nccl_moved_value(std::uint64_t position) {
  return static_cast<float>(nccl_mix(position ^ 0xa5a5a5a5a5a5a5a5ULL) % (kNcclExactIntegers - 1) + 1);
}

/// How one GPU's send buffer is filled: element i holds t(rank, first + i) for a
/// reduction, m(first + i) for moved data.
struct NcclFill {
  bool reduction = true;
  std::uint64_t first = 0;
  int rank = 0;
  std::uint32_t period = 1;
};

ASSAY_HOST_DEVICE inline float nccl_fill_value(const NcclFill& fill, std::uint64_t i) {
  return fill.reduction ? nccl_reduction_term(fill.rank, fill.first + i, fill.period)
                        : nccl_moved_value(fill.first + i);
}

/// The fill of global rank `rank`'s send buffer for `collective` at `size` over `ranks`:
///   all_reduce, reduce_scatter: t(rank, i) for i < send_elements;
///   all_gather: m(rank * block + j), the rank's block of the gathered vector;
///   all_to_all: m(rank * count + i), so the block for peer p is m((rank * n + p) * block + j).
inline NcclFill nccl_send_fill(NcclCollective collective, int rank, int ranks, const NcclSize& size) {
  NcclFill fill;
  fill.rank = rank;
  fill.period = nccl_period(ranks);
  const auto r = static_cast<std::uint64_t>(rank);
  switch (collective) {
    case NcclCollective::all_reduce:
    case NcclCollective::reduce_scatter: fill.reduction = true; break;
    case NcclCollective::all_gather:
      fill.reduction = false;
      fill.first = r * size.block_elements;
      break;
    case NcclCollective::all_to_all:
      fill.reduction = false;
      fill.first = r * size.send_elements;
      break;
  }
  return fill;
}

/// The exact result of a collective on any rank and element (host side).
class NcclExpectation {
 public:
  NcclExpectation(NcclCollective collective, int ranks)
      : collective_(collective), ranks_(std::max(ranks, 1)), period_(nccl_period(ranks)), sums_(period_, 0.0f) {
    // sums_[a] = sum over ranks r of ((a + b(r)) mod P + 1), exact in float (<= 2^24).
    std::vector<std::uint64_t> phases(period_, 0);
    for (int r = 0; r < ranks_; ++r) ++phases[nccl_rank_phase(r, period_)];
    for (std::uint32_t a = 0; a < period_; ++a) {
      std::uint64_t sum = 0;
      for (std::uint32_t b = 0; b < period_; ++b) sum += phases[b] * ((a + b) % period_ + 1);
      sums_[a] = static_cast<float>(sum);
    }
  }

  /// The sum over every rank of t(r, index).
  float reduction_sum(std::uint64_t index) const { return sums_[nccl_element_phase(index, period_)]; }

  /// What element `index` of global rank `rank`'s receive buffer holds after the collective:
  ///   all_reduce: sum(index);
  ///   reduce_scatter: sum(rank * block + index), the rank's block of the reduced vector;
  ///   all_gather: m(index), every rank's block in rank order;
  ///   all_to_all: block q holds what rank q sent to `rank`: m((q * n + rank) * block + j).
  float receive_value(int rank, const NcclSize& size, std::uint64_t index) const {
    const auto r = static_cast<std::uint64_t>(rank);
    const auto n = static_cast<std::uint64_t>(ranks_);
    const std::uint64_t block = size.block_elements == 0 ? 1 : size.block_elements;
    switch (collective_) {
      case NcclCollective::all_reduce: return reduction_sum(index);
      case NcclCollective::reduce_scatter: return reduction_sum(r * block + index);
      case NcclCollective::all_gather: return nccl_moved_value(index);
      case NcclCollective::all_to_all: {
        const std::uint64_t q = index / block, j = index % block;
        return nccl_moved_value((q * n + r) * block + j);
      }
    }
    return 0;
  }

  NcclCollective collective() const { return collective_; }
  int ranks() const { return ranks_; }
  std::uint32_t period() const { return period_; }

 private:
  NcclCollective collective_;
  int ranks_;
  std::uint32_t period_;
  std::vector<float> sums_;
};

/// Elements per run of sampled entries, and the most runs sampled per receive buffer.
inline constexpr std::uint64_t kNcclCheckRun = 8;
inline constexpr std::uint64_t kNcclCheckRuns = 48;

/// The runs (first index, length) of a receive buffer of `receive_elements` that are
/// copied back and checked: the first and last elements, the first and last elements of
/// blocks spread over the ranks (block boundaries are where a misplaced or truncated
/// block shows), and runs spread evenly through the rest. Sorted, inside the buffer,
/// not overlapping, at most kNcclCheckRuns runs of at most kNcclCheckRun elements.
inline std::vector<std::pair<std::uint64_t, std::uint64_t>> nccl_check_runs(std::uint64_t receive_elements,
                                                                           std::uint64_t block_elements) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> runs;
  if (receive_elements == 0) return runs;
  std::vector<std::uint64_t> starts;
  const auto add = [&](std::uint64_t start) { starts.push_back(std::min(start, receive_elements - 1)); };
  add(0);
  add(receive_elements > kNcclCheckRun ? receive_elements - kNcclCheckRun : 0);
  const std::uint64_t block = block_elements == 0 ? receive_elements : block_elements;
  const std::uint64_t blocks = (receive_elements + block - 1) / block;
  if (blocks > 1) {
    // Up to 16 blocks, evenly over the ranks, first and last included: their first and
    // last elements.
    const std::uint64_t picked = std::min<std::uint64_t>(blocks, 16);
    for (std::uint64_t k = 0; k < picked; ++k) {
      const std::uint64_t b = picked == 1 ? 0 : k * (blocks - 1) / (picked - 1);
      add(b * block);
      const std::uint64_t end = std::min(receive_elements, (b + 1) * block);
      add(end > kNcclCheckRun ? end - kNcclCheckRun : 0);
    }
  }
  // Evenly through the buffer, offset by a hash so that runs do not all sit on
  // power-of-two boundaries.
  const std::uint64_t spread = kNcclCheckRuns - std::min<std::uint64_t>(kNcclCheckRuns - 8, starts.size());
  for (std::uint64_t k = 0; k < spread; ++k) {
    const std::uint64_t base = receive_elements / spread * k;
    const std::uint64_t jitter = receive_elements / spread > 0 ? nccl_mix(k) % (receive_elements / spread) : 0;
    add(base + jitter);
  }
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  for (std::uint64_t start : starts) {
    // A run that would overlap the previous one starts where that one ends.
    if (!runs.empty()) start = std::max(start, runs.back().first + runs.back().second);
    if (start >= receive_elements) continue;
    runs.emplace_back(start, std::min(kNcclCheckRun, receive_elements - start));
    if (runs.size() == kNcclCheckRuns) break;
  }
  return runs;
}

}  // namespace assay::gpu
