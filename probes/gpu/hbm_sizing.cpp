#include "probes/gpu/hbm_sizing.h"

#include <algorithm>

namespace assay::gpu {

std::string_view hbm_kernel_name(HbmKernel kernel) {
  switch (kernel) {
    case HbmKernel::read: return "read";
    case HbmKernel::write: return "write";
    case HbmKernel::copy: return "copy";
  }
  return "?";
}

std::string hbm_metric_key(HbmKernel kernel) { return "gpu.hbm." + std::string(hbm_kernel_name(kernel)); }

double hbm_bytes_moved(HbmKernel kernel, std::uint64_t array_bytes) {
  const auto n = static_cast<double>(array_bytes);
  return kernel == HbmKernel::copy ? 2 * n : n;
}

std::uint64_t hbm_default_array_bytes(std::uint64_t memory_bytes, std::uint64_t l2_bytes) {
  constexpr std::uint64_t gib = std::uint64_t{1} << 30, step = std::uint64_t{2} << 20;
  const std::uint64_t wanted = std::max(gib, 8 * l2_bytes);
  const std::uint64_t limit = memory_bytes / 8;
  const std::uint64_t chosen = std::min(wanted, limit) / step * step;
  return std::max(chosen, kHbmMinArrayBytes);
}

std::uint64_t hbm_round_array_bytes(std::uint64_t bytes) { return bytes / 16 * 16; }

bool hbm_arrays_fit(std::uint64_t array_bytes, std::uint64_t memory_bytes, double usable_fraction) {
  return 2.0 * static_cast<double>(array_bytes) <= usable_fraction * static_cast<double>(memory_bytes);
}

}  // namespace assay::gpu
