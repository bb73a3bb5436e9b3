#pragma once
// gpu.hbm's host-side rules, pure so they are tested without a GPU: how big the arrays
// are, and how many bytes each kernel is counted as moving.

#include <cstdint>
#include <string>
#include <string_view>

namespace assay::gpu {

enum class HbmKernel { read, write, copy };
inline constexpr HbmKernel kHbmKernels[] = {HbmKernel::read, HbmKernel::write, HbmKernel::copy};

/// "read", "write", "copy"
std::string_view hbm_kernel_name(HbmKernel kernel);
/// "gpu.hbm.read"
std::string hbm_metric_key(HbmKernel kernel);

/// Bytes a kernel moves over arrays of `array_bytes`, as BabelStream counts them: what
/// the kernel asks to load plus what it asks to store. read N, write N, copy 2N. (Unlike
/// a CPU's cache, a GPU's L2 does not read a 32-byte sector from DRAM before a store
/// that covers all of it, as these coalesced 16-byte stores do, so there is no hidden
/// write-allocate traffic to explain.)
double hbm_bytes_moved(HbmKernel kernel, std::uint64_t array_bytes);

/// The array size when none is given: the larger of 1 GiB and 8x the L2 (so the L2,
/// 50 MB on an H100 and 126 MB on a B200, holds at most an eighth of an array and the
/// kernels stream from HBM), but at most an eighth of the device's memory (both arrays
/// then take a quarter), rounded down to a multiple of 2 MiB.
std::uint64_t hbm_default_array_bytes(std::uint64_t memory_bytes, std::uint64_t l2_bytes);

/// `bytes` rounded down to whole 16-byte vectors, the kernels' access size.
std::uint64_t hbm_round_array_bytes(std::uint64_t bytes);

/// Whether both arrays of `array_bytes` fit in `usable_fraction` of a device's memory.
bool hbm_arrays_fit(std::uint64_t array_bytes, std::uint64_t memory_bytes, double usable_fraction = 0.9);

/// The smallest array the probe accepts (smaller ones time launch overhead).
inline constexpr std::uint64_t kHbmMinArrayBytes = std::uint64_t{1} << 20;

}  // namespace assay::gpu
