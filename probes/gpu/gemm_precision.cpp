#include "probes/gpu/gemm_precision.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace assay::gpu {

std::string_view gemm_precision_name(GemmPrecision precision) {
  switch (precision) {
    case GemmPrecision::fp64: return "fp64";
    case GemmPrecision::fp32: return "fp32";
    case GemmPrecision::tf32: return "tf32";
    case GemmPrecision::bf16: return "bf16";
    case GemmPrecision::fp16: return "fp16";
    case GemmPrecision::fp8: return "fp8";
    case GemmPrecision::int8: return "int8";
  }
  return "?";
}

std::optional<GemmPrecision> gemm_precision_from_name(std::string_view name) {
  for (GemmPrecision p : kAllGemmPrecisions) {
    if (gemm_precision_name(p) == name) return p;
  }
  return std::nullopt;
}

std::string gemm_metric_key(GemmPrecision precision) {
  return fmt::format("gpu.gemm.{}", gemm_precision_name(precision));
}

Unit gemm_unit(GemmPrecision precision) {
  return precision == GemmPrecision::int8 ? Unit::op_per_s : Unit::flop_per_s;
}

std::optional<std::string> gemm_unsupported_reason(GemmPrecision precision, int cc_major, int cc_minor) {
  const int cc = cc_major * 10 + cc_minor;
  if (cc < 75) {
    return fmt::format("compute capability {}.{} is below 7.5, the oldest the CUDA 13 libraries support", cc_major,
                       cc_minor);
  }
  switch (precision) {
    case GemmPrecision::tf32:
    case GemmPrecision::bf16:
      if (cc < 80) {
        return fmt::format("{} tensor cores need compute capability 8.0 (Ampere) or later; this GPU is {}.{}",
                           precision == GemmPrecision::tf32 ? "TF32" : "BF16", cc_major, cc_minor);
      }
      return std::nullopt;
    case GemmPrecision::fp8:
      if (cc < 89) {
        return fmt::format("FP8 (E4M3) tensor cores need compute capability 8.9 (Ada) or 9.0 (Hopper) or later; "
                           "this GPU is {}.{}",
                           cc_major, cc_minor);
      }
      return std::nullopt;
    case GemmPrecision::fp64:
    case GemmPrecision::fp32:
    case GemmPrecision::fp16:
    case GemmPrecision::int8:
      return std::nullopt;
  }
  return std::nullopt;
}

std::uint64_t gemm_input_bytes(GemmPrecision precision) {
  switch (precision) {
    case GemmPrecision::fp64: return 8;
    case GemmPrecision::fp32:
    case GemmPrecision::tf32: return 4;
    case GemmPrecision::bf16:
    case GemmPrecision::fp16: return 2;
    case GemmPrecision::fp8:
    case GemmPrecision::int8: return 1;
  }
  return 8;
}

std::uint64_t gemm_output_bytes(GemmPrecision precision) {
  switch (precision) {
    case GemmPrecision::fp64: return 8;
    case GemmPrecision::fp32:
    case GemmPrecision::tf32:
    case GemmPrecision::int8: return 4;  // INT32
    case GemmPrecision::bf16:
    case GemmPrecision::fp16:
    case GemmPrecision::fp8: return 2;  // FP8 writes BF16
  }
  return 8;
}

double gemm_operations(std::int64_t m, std::int64_t n, std::int64_t k) {
  return 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
}

std::uint64_t gemm_device_bytes(GemmPrecision precision, std::int64_t n, std::uint64_t workspace_bytes) {
  const auto entries = static_cast<std::uint64_t>(n) * static_cast<std::uint64_t>(n);
  return entries * (2 * gemm_input_bytes(precision) + gemm_output_bytes(precision)) + workspace_bytes;
}

std::optional<std::int64_t> gemm_order_for_device(GemmPrecision precision, std::int64_t n, std::uint64_t memory_bytes,
                                                  std::uint64_t workspace_bytes, double usable_fraction,
                                                  std::int64_t minimum) {
  std::int64_t order = n / 16 * 16;
  const double usable = usable_fraction * static_cast<double>(memory_bytes);
  while (order >= minimum && static_cast<double>(gemm_device_bytes(precision, order, workspace_bytes)) > usable) {
    order = order / 2 / 16 * 16;
  }
  if (order < minimum) return std::nullopt;
  return order;
}

GemmReference gemm_reference(GemmPrecision precision, std::uint64_t seed_a, std::uint64_t seed_b, std::int64_t k,
                             std::int64_t row, std::int64_t column) {
  const GemmValueRange range = gemm_value_range(precision);
  GemmReference reference;
  // Exact: every product is a multiple of 1/scale^2 below 2^15 in magnitude and the sum
  // of k < 2^20 of them needs under 53 bits.
  for (std::int64_t l = 0; l < k; ++l) {
    const auto i = static_cast<std::uint64_t>(row), j = static_cast<std::uint64_t>(column),
               inner = static_cast<std::uint64_t>(l);
    const double product = gemm_input_value(range, seed_a, i, inner) * gemm_input_value(range, seed_b, inner, j);
    reference.value += product;
    reference.sum_of_magnitudes += std::fabs(product);
  }
  return reference;
}

double gemm_tolerance(GemmPrecision precision, std::int64_t k, const GemmReference& reference) {
  double output_roundoff = 0, accumulate_roundoff = 0;
  switch (precision) {
    case GemmPrecision::fp64:
      output_roundoff = accumulate_roundoff = 0x1p-53;
      break;
    case GemmPrecision::fp32:
    case GemmPrecision::tf32:
      output_roundoff = accumulate_roundoff = 0x1p-24;
      break;
    case GemmPrecision::bf16:
    case GemmPrecision::fp8:
      output_roundoff = 0x1p-8;
      accumulate_roundoff = 0x1p-24;
      break;
    case GemmPrecision::fp16:
      output_roundoff = 0x1p-11;
      accumulate_roundoff = 0x1p-24;
      break;
    case GemmPrecision::int8:
      return 0;
  }
  return output_roundoff * std::fabs(reference.value) +
         static_cast<double>(k) * accumulate_roundoff * reference.sum_of_magnitudes;
}

bool gemm_algorithm_within_tolerance(GemmPrecision precision, int split_k, bool partials_in_output_type) {
  if (split_k <= 1 || !partials_in_output_type) return true;
  switch (precision) {
    case GemmPrecision::bf16:
    case GemmPrecision::fp16:
    case GemmPrecision::fp8:  // its D is BF16
      return false;
    case GemmPrecision::fp64:
    case GemmPrecision::fp32:
    case GemmPrecision::tf32:
    case GemmPrecision::int8:  // D's type is the accumulator's (INT32 is exact anyway)
      return true;
  }
  return true;
}

std::vector<std::pair<std::int64_t, std::int64_t>> gemm_check_entries(std::int64_t m, std::int64_t n,
                                                                        std::size_t count, std::uint64_t seed) {
  std::vector<std::pair<std::int64_t, std::int64_t>> entries;
  if (m <= 0 || n <= 0 || count == 0) return entries;
  // Corners first: an off-by-one in a tile edge or leading dimension shows there.
  for (auto corner : {std::pair{std::int64_t{0}, std::int64_t{0}}, std::pair{m - 1, n - 1}, std::pair{std::int64_t{0}, n - 1},
                      std::pair{m - 1, std::int64_t{0}}}) {
    if (entries.size() == count) break;
    if (std::find(entries.begin(), entries.end(), corner) == entries.end()) entries.push_back(corner);
  }
  for (std::uint64_t i = 0; entries.size() < count && i < 16 * count; ++i) {
    const std::uint64_t h = gemm_hash(seed, i, 0);
    const std::pair<std::int64_t, std::int64_t> entry{static_cast<std::int64_t>(h % static_cast<std::uint64_t>(m)),
                                                      static_cast<std::int64_t>((h >> 32) % static_cast<std::uint64_t>(n))};
    if (std::find(entries.begin(), entries.end(), entry) == entries.end()) entries.push_back(entry);
  }
  return entries;
}

}  // namespace assay::gpu
