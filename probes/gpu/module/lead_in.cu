#include "probes/gpu/module/lead_in.h"

namespace assay::gpu {
namespace {

// Nanoseconds of the GPU's global timer (PTX %globaltimer): unlike clock64() it does not
// follow the SM clock, so the wait is the same on every GPU.
__device__ inline unsigned long long global_nanoseconds() {
  unsigned long long t = 0;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

__global__ void lead_in_kernel(unsigned long long nanoseconds) {
  const unsigned long long start = global_nanoseconds();
  // A bound in SM cycles as well (10 per nanosecond: no SM clock is that fast), so the
  // wait ends even if the global timer should not advance: it must never hang a stream.
  const long long first_cycle = clock64();
  const long long cycle_limit = static_cast<long long>(nanoseconds) * 10;
  while (global_nanoseconds() - start < nanoseconds && clock64() - first_cycle < cycle_limit) __nanosleep(1000);
}

}  // namespace

cudaError_t launch_lead_in(unsigned long long nanoseconds, cudaStream_t stream) {
  lead_in_kernel<<<1, 1, 0, stream>>>(nanoseconds);
  return cudaGetLastError();
}

}  // namespace assay::gpu
