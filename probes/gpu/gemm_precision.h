#pragma once
// gpu.gemm's host-side rules, pure so they are tested without a GPU: which precisions a
// compute capability runs, how big the matrices may be, how many operations a call
// does, and how close a checked entry of D must be to its exact reference.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/units.h"
#include "probes/gpu/gemm_pattern.h"
#include "probes/gpu/gpu_module.h"

namespace assay::gpu {

/// Every precision, in the order the probe runs them.
inline constexpr GemmPrecision kAllGemmPrecisions[] = {GemmPrecision::fp64, GemmPrecision::fp32, GemmPrecision::tf32,
                                                       GemmPrecision::bf16, GemmPrecision::fp16, GemmPrecision::fp8,
                                                       GemmPrecision::int8};

/// "fp64", "tf32", "fp8", ...
std::string_view gemm_precision_name(GemmPrecision precision);
std::optional<GemmPrecision> gemm_precision_from_name(std::string_view name);

/// "gpu.gemm.bf16"
std::string gemm_metric_key(GemmPrecision precision);

/// FLOP/s, or op/s for INT8 (integer multiply-adds are operations, not FLOPs).
Unit gemm_unit(GemmPrecision precision);

/// Why a device of compute capability major.minor cannot run `precision` through
/// cuBLASLt, or nullopt when it can: TF32 and BF16 need Ampere (8.0), FP8 E4M3 needs
/// Ada or Hopper (8.9), everything needs 7.5 (the oldest CUDA 13 supports).
std::optional<std::string> gemm_unsupported_reason(GemmPrecision precision, int cc_major, int cc_minor);

/// Bytes per element of A and B, and of D.
std::uint64_t gemm_input_bytes(GemmPrecision precision);
std::uint64_t gemm_output_bytes(GemmPrecision precision);

/// Multiply-adds count two operations: 2 m n k.
double gemm_operations(std::int64_t m, std::int64_t n, std::int64_t k);

/// Bytes on the device for A, B and D of order n plus the workspace.
std::uint64_t gemm_device_bytes(GemmPrecision precision, std::int64_t n, std::uint64_t workspace_bytes);

/// The matrix order actually used for a requested `n`: rounded down to a multiple of 16
/// (FP8 and INT8 tensor-core layouts need it; all precisions use the same order so
/// their figures compare), and halved until A, B, D and the workspace fit in
/// `usable_fraction` of the device's memory. nullopt when even `minimum` does not fit.
std::optional<std::int64_t> gemm_order_for_device(GemmPrecision precision, std::int64_t n, std::uint64_t memory_bytes,
                                                  std::uint64_t workspace_bytes, double usable_fraction = 0.8,
                                                  std::int64_t minimum = 256);

/// An entry of D = A x B computed exactly on the host from the fill pattern.
struct GemmReference {
  double value = 0;
  double sum_of_magnitudes = 0;  ///< sum over l of |A(i,l) B(l,j)|, which bounds rounding
};
GemmReference gemm_reference(GemmPrecision precision, std::uint64_t seed_a, std::uint64_t seed_b, std::int64_t k,
                             std::int64_t row, std::int64_t column);

/// The largest |D(i,j) - reference| accepted: rounding to the output type
/// (u_out |reference|) plus the worst case of accumulating k products in the compute
/// type (k u_acc sum |a b|). u_out: BF16 2^-8, FP16 2^-11, FP32 2^-24, FP64 2^-53,
/// INT32 0. u_acc: FP64 2^-53, FP32 compute (FP32, TF32, BF16, FP16, FP8 with cuBLASLt's
/// FP32 promotion) 2^-24, INT32 0: integer results must be exact.
double gemm_tolerance(GemmPrecision precision, std::int64_t k, const GemmReference& reference);

/// Whether gemm_tolerance() covers an algorithm that splits k into `split_k` parts and
/// adds the parts' sums in D's type (cuBLASLt's INPLACE and OUTPUT_TYPE reduction
/// schemes) when `partials_in_output_type`, else in the compute type. Rounding every
/// partial sum to BF16 or FP16 costs up to split_k output roundings where the tolerance
/// allows one: at k = 256 to 1024 a healthy GPU's BF16 result would be refused (at
/// k = 8192 the accumulation term happens to cover it). The module passes over such
/// algorithms in the heuristic's list.
bool gemm_algorithm_within_tolerance(GemmPrecision precision, int split_k, bool partials_in_output_type);

/// The entries of D to check: the four corners plus pseudo-random ones, `count` in all.
std::vector<std::pair<std::int64_t, std::int64_t>> gemm_check_entries(std::int64_t m, std::int64_t n,
                                                                        std::size_t count, std::uint64_t seed);

}  // namespace assay::gpu
