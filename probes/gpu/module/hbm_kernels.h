#pragma once
// gpu.hbm's kernels, which gpu.pcie and gpu.p2p also use to write and check their
// device buffers. All work on 64-bit words holding bandwidth_pattern.h's pattern, with
// 16-byte vector accesses (two words) over a grid-stride loop; an odd last word is done
// by one thread. `data` pointers are device memory from cudaMalloc (256-byte aligned).
//
// The grid is fixed per kernel from the SM count and how many blocks of kWordThreads
// one SM holds at once (the occupancy API), so every SM is full for the whole kernel
// and each thread walks the array with many independent loads in flight; a grid of
// one thread per element would spend its time starting and retiring blocks instead.

#include <cuda_runtime_api.h>

#include <cstdint>

namespace assay::gpu {

inline constexpr unsigned kWordThreads = 256;

struct WordGrid {
  unsigned blocks = 0;
  int blocks_per_sm = 0;
};

/// Grids for each kernel on the current device, which has `multiprocessors` SMs.
struct WordGrids {
  WordGrid read, write, copy, check;
};
cudaError_t word_kernel_grids(int multiprocessors, WordGrids& grids);

/// Sums the `words` words at `data` (mod 2^64): block b stores the sum of the words it
/// read in block_sums[b] (grid.blocks entries), and the total is their sum. A reduction
/// that consumes every loaded word, so the compiler cannot drop a load; stores, not
/// atomic adds, so running it twice (a re-timed section) gives the same result.
cudaError_t launch_read_sum(const void* data, std::uint64_t words, unsigned long long* block_sums,
                            const WordGrid& grid, cudaStream_t stream);

/// data[i] = pattern_word(i, salt).
cudaError_t launch_write(void* data, std::uint64_t words, std::uint64_t salt, const WordGrid& grid,
                         cudaStream_t stream);

/// destination[i] = source[i].
cudaError_t launch_copy(const void* source, void* destination, std::uint64_t words, const WordGrid& grid,
                        cudaStream_t stream);

/// Counts words that differ from pattern_word(i, salt): counters[0] += the count,
/// counters[1] = min(counters[1], the first such index). The caller sets counters to
/// {0, ~0} first.
cudaError_t launch_check(const void* data, std::uint64_t words, std::uint64_t salt, unsigned long long* counters,
                         const WordGrid& grid, cudaStream_t stream);

}  // namespace assay::gpu
