#include "probes/gpu/module/hbm_kernels.h"

#include <vector_types.h>

#include "probes/gpu/bandwidth_pattern.h"

namespace assay::gpu {
namespace {

// Vectors each thread has in flight per loop trip: four independent 16-byte loads hide
// more of the memory latency than one (Little's law: bandwidth x latency bytes must be
// outstanding, about 2 MB on an H100, 15 KB per SM).
constexpr std::uint64_t kUnroll = 4;

__device__ inline std::uint64_t first_thread() {
  return static_cast<std::uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}

__device__ inline std::uint64_t thread_count() { return static_cast<std::uint64_t>(gridDim.x) * blockDim.x; }

__device__ inline ulonglong2 pattern_vector(std::uint64_t vector, std::uint64_t salt) {
  return make_ulonglong2(pattern_word(2 * vector, salt), pattern_word(2 * vector + 1, salt));
}

__device__ inline unsigned long long warp_sum(unsigned long long value) {
  for (int offset = 16; offset > 0; offset /= 2) value += __shfl_down_sync(0xffffffffu, value, offset);
  return value;
}

// Sums over the block and stores the total in *target.
__device__ inline void block_sum_to(unsigned long long value, unsigned long long* target) {
  __shared__ unsigned long long warp_sums[kWordThreads / 32];
  const unsigned lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  value = warp_sum(value);
  if (lane == 0) warp_sums[warp] = value;
  __syncthreads();
  if (warp == 0) {
    value = lane < kWordThreads / 32 ? warp_sums[lane] : 0;
    value = warp_sum(value);
    if (lane == 0) *target = value;
  }
}

__global__ void __launch_bounds__(kWordThreads)
    read_sum_kernel(const ulonglong2* __restrict__ data, std::uint64_t words, unsigned long long* block_sums) {
  const std::uint64_t vectors = words / 2, stride = thread_count();
  std::uint64_t i = first_thread();
  unsigned long long x = 0, y = 0;
  for (; i + (kUnroll - 1) * stride < vectors; i += kUnroll * stride) {
    const ulonglong2 v0 = data[i], v1 = data[i + stride], v2 = data[i + 2 * stride], v3 = data[i + 3 * stride];
    x += v0.x + v1.x + v2.x + v3.x;
    y += v0.y + v1.y + v2.y + v3.y;
  }
  for (; i < vectors; i += stride) {
    const ulonglong2 v = data[i];
    x += v.x;
    y += v.y;
  }
  if (words % 2 != 0 && first_thread() == 0) x += reinterpret_cast<const unsigned long long*>(data)[words - 1];
  block_sum_to(x + y, &block_sums[blockIdx.x]);
}

__global__ void __launch_bounds__(kWordThreads)
    write_kernel(ulonglong2* __restrict__ data, std::uint64_t words, std::uint64_t salt) {
  const std::uint64_t vectors = words / 2, stride = thread_count();
  std::uint64_t i = first_thread();
  for (; i + (kUnroll - 1) * stride < vectors; i += kUnroll * stride) {
    data[i] = pattern_vector(i, salt);
    data[i + stride] = pattern_vector(i + stride, salt);
    data[i + 2 * stride] = pattern_vector(i + 2 * stride, salt);
    data[i + 3 * stride] = pattern_vector(i + 3 * stride, salt);
  }
  for (; i < vectors; i += stride) data[i] = pattern_vector(i, salt);
  if (words % 2 != 0 && first_thread() == 0) {
    reinterpret_cast<unsigned long long*>(data)[words - 1] = pattern_word(words - 1, salt);
  }
}

__global__ void __launch_bounds__(kWordThreads)
    copy_kernel(const ulonglong2* __restrict__ source, ulonglong2* __restrict__ destination, std::uint64_t words) {
  const std::uint64_t vectors = words / 2, stride = thread_count();
  std::uint64_t i = first_thread();
  for (; i + (kUnroll - 1) * stride < vectors; i += kUnroll * stride) {
    const ulonglong2 v0 = source[i], v1 = source[i + stride], v2 = source[i + 2 * stride],
                     v3 = source[i + 3 * stride];
    destination[i] = v0;
    destination[i + stride] = v1;
    destination[i + 2 * stride] = v2;
    destination[i + 3 * stride] = v3;
  }
  for (; i < vectors; i += stride) destination[i] = source[i];
  if (words % 2 != 0 && first_thread() == 0) {
    reinterpret_cast<unsigned long long*>(destination)[words - 1] =
        reinterpret_cast<const unsigned long long*>(source)[words - 1];
  }
}

__global__ void __launch_bounds__(kWordThreads)
    check_kernel(const ulonglong2* __restrict__ data, std::uint64_t words, std::uint64_t salt,
                 unsigned long long* counters) {
  const std::uint64_t vectors = words / 2, stride = thread_count();
  unsigned long long bad = 0, first = ~0ULL;
  const auto note = [&](bool wrong, std::uint64_t word) {
    if (wrong) {
      ++bad;
      if (word < first) first = word;
    }
  };
  for (std::uint64_t i = first_thread(); i < vectors; i += stride) {
    const ulonglong2 v = data[i];
    note(v.x != pattern_word(2 * i, salt), 2 * i);
    note(v.y != pattern_word(2 * i + 1, salt), 2 * i + 1);
  }
  if (words % 2 != 0 && first_thread() == 0) {
    note(reinterpret_cast<const unsigned long long*>(data)[words - 1] != pattern_word(words - 1, salt), words - 1);
  }
  // Mismatches are rare: an atomic only from threads that saw one.
  if (bad != 0) {
    atomicAdd(&counters[0], bad);
    atomicMin(&counters[1], first);
  }
}

template <class Kernel>
cudaError_t grid_for(Kernel kernel, int multiprocessors, WordGrid& grid) {
  int per_sm = 0;
  // cuda_runtime.h's template overload, which takes the kernel itself.
  if (const cudaError_t status =
          cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, kernel, static_cast<int>(kWordThreads), 0);
      status != cudaSuccess) {
    return status;
  }
  grid.blocks_per_sm = per_sm < 1 ? 1 : per_sm;
  grid.blocks = static_cast<unsigned>(grid.blocks_per_sm) * static_cast<unsigned>(multiprocessors < 1 ? 1 : multiprocessors);
  return cudaSuccess;
}

}  // namespace

cudaError_t word_kernel_grids(int multiprocessors, WordGrids& grids) {
  if (const cudaError_t s = grid_for(read_sum_kernel, multiprocessors, grids.read); s != cudaSuccess) return s;
  if (const cudaError_t s = grid_for(write_kernel, multiprocessors, grids.write); s != cudaSuccess) return s;
  if (const cudaError_t s = grid_for(copy_kernel, multiprocessors, grids.copy); s != cudaSuccess) return s;
  return grid_for(check_kernel, multiprocessors, grids.check);
}

cudaError_t launch_read_sum(const void* data, std::uint64_t words, unsigned long long* block_sums,
                            const WordGrid& grid, cudaStream_t stream) {
  read_sum_kernel<<<grid.blocks, kWordThreads, 0, stream>>>(static_cast<const ulonglong2*>(data), words, block_sums);
  return cudaGetLastError();
}

cudaError_t launch_write(void* data, std::uint64_t words, std::uint64_t salt, const WordGrid& grid,
                         cudaStream_t stream) {
  write_kernel<<<grid.blocks, kWordThreads, 0, stream>>>(static_cast<ulonglong2*>(data), words, salt);
  return cudaGetLastError();
}

cudaError_t launch_copy(const void* source, void* destination, std::uint64_t words, const WordGrid& grid,
                        cudaStream_t stream) {
  copy_kernel<<<grid.blocks, kWordThreads, 0, stream>>>(static_cast<const ulonglong2*>(source),
                                                        static_cast<ulonglong2*>(destination), words);
  return cudaGetLastError();
}

cudaError_t launch_check(const void* data, std::uint64_t words, std::uint64_t salt, unsigned long long* counters,
                         const WordGrid& grid, cudaStream_t stream) {
  check_kernel<<<grid.blocks, kWordThreads, 0, stream>>>(static_cast<const ulonglong2*>(data), words, salt, counters);
  return cudaGetLastError();
}

}  // namespace assay::gpu
