// The kernel table and the exact checker. Compiled without ISA flags: the support
// checks here must run on any CPU.
#include "probes/cpu/fma_kernels.h"

#include <array>
#include <stdexcept>

#include <fmt/format.h>

#include "probes/cpu/clock_kernel.h"

namespace assay {
namespace {

using namespace fma_detail;

double pair_drift(const FmaOperands& operands) {
  // x*m + k1, then (x*m + k1)/m + k2 = x + k1/m + k2.
  return operands.addend * operands.inverse + operands.second_addend;
}

double dot_drift(const FmaOperands& operands) {
  // vdpbf16ps adds (1/m) * k1 + k2 * k1 per instruction, one instruction per iteration.
  return operands.inverse * operands.addend + operands.second_addend * operands.addend;
}

bool always(const HostCpu&) { return true; }
bool always_executable() { return true; }

// FP32 accumulators count to start + values + n exactly while 2x + 1 < 2^24.
constexpr std::uint64_t kFp32MaxIterations = std::uint64_t{1} << 22;
// FP64 has room for 2^52; 2^40 iterations is hours of work per call.
constexpr std::uint64_t kFp64MaxIterations = std::uint64_t{1} << 40;

const FmaIsa kPortableIsa{.name = "portable",
                          .vector_bits = 0,
                          .fused = false,
                          .supported = always,
                          .executable = always_executable,
                          .loaded_add_chain = nullptr};

// Scalar chains the compiler may vectorise: one value per "accumulator".
constexpr FmaKernel kPortableFp64{
    .isa = &kPortableIsa, .precision = Precision::fp64,
    .instruction = "compiler-generated multiply-add", .features = "", .lanes = 1,
    .accumulators = kPortableChains, .flops_per_lane_iteration = 4,
    .max_iterations = kFp64MaxIterations, .supported = always, .executable = always_executable,
    .drift = pair_drift, .run = portable_fp64};
constexpr FmaKernel kPortableFp32{
    .isa = &kPortableIsa, .precision = Precision::fp32,
    .instruction = "compiler-generated multiply-add", .features = "", .lanes = 1,
    .accumulators = kPortableChains, .flops_per_lane_iteration = 4,
    .max_iterations = kFp32MaxIterations, .supported = always, .executable = always_executable,
    .drift = pair_drift, .run = portable_fp32};

#if defined(__x86_64__)

bool avx512_supported(const HostCpu& cpu) { return cpu.has_flag("avx512f"); }
bool avx512_executable() { return __builtin_cpu_supports("avx512f"); }
bool avx2_supported(const HostCpu& cpu) { return cpu.has_flag("avx2") && cpu.has_flag("fma"); }
bool avx2_executable() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }
bool bf16_supported(const HostCpu& cpu) { return cpu.has_flag("avx512_bf16"); }
bool bf16_executable() { return __builtin_cpu_supports("avx512bf16"); }
#if defined(ASSAY_HAVE_AVX512FP16_KERNEL)
bool fp16_supported(const HostCpu& cpu) { return cpu.has_flag("avx512_fp16"); }
bool fp16_executable() { return __builtin_cpu_supports("avx512fp16"); }
#endif

const FmaIsa kAvx512Isa{.name = "avx512",
                        .vector_bits = 512,
                        .fused = true,
                        .supported = avx512_supported,
                        .executable = avx512_executable,
                        .loaded_add_chain = avx512_loaded_add_chain};
const FmaIsa kAvx2Isa{.name = "avx2",
                      .vector_bits = 256,
                      .fused = true,
                      .supported = avx2_supported,
                      .executable = avx2_executable,
                      .loaded_add_chain = avx2_loaded_add_chain};

const std::array<const FmaIsa*, 3> kIsas{&kAvx512Isa, &kAvx2Isa, &kPortableIsa};

// Best first within each precision; best_fma_kernel() takes the first that runs.
// Every FMA kernel does two FMAs per accumulator per iteration: 4 FLOPs per lane.
const FmaKernel kKernels[] = {
    {.isa = &kAvx512Isa, .precision = Precision::fp64, .instruction = "vfmadd231pd zmm",
     .features = "avx512f", .lanes = 8, .accumulators = kAvx512Accumulators,
     .flops_per_lane_iteration = 4, .max_iterations = kFp64MaxIterations, .supported = always,
     .executable = always_executable, .drift = pair_drift, .run = avx512_fp64},
    {.isa = &kAvx2Isa, .precision = Precision::fp64, .instruction = "vfmadd231pd ymm",
     .features = "avx2 fma", .lanes = 4, .accumulators = kAvx2Accumulators,
     .flops_per_lane_iteration = 4, .max_iterations = kFp64MaxIterations, .supported = always,
     .executable = always_executable, .drift = pair_drift, .run = avx2_fp64},
    kPortableFp64,
    {.isa = &kAvx512Isa, .precision = Precision::fp32, .instruction = "vfmadd231ps zmm",
     .features = "avx512f", .lanes = 16, .accumulators = kAvx512Accumulators,
     .flops_per_lane_iteration = 4, .max_iterations = kFp32MaxIterations, .supported = always,
     .executable = always_executable, .drift = pair_drift, .run = avx512_fp32},
    {.isa = &kAvx2Isa, .precision = Precision::fp32, .instruction = "vfmadd231ps ymm",
     .features = "avx2 fma", .lanes = 8, .accumulators = kAvx2Accumulators,
     .flops_per_lane_iteration = 4, .max_iterations = kFp32MaxIterations, .supported = always,
     .executable = always_executable, .drift = pair_drift, .run = avx2_fp32},
    kPortableFp32,
    // One vdpbf16ps per iteration: 2 products and 2 additions per FP32 lane.
    {.isa = &kAvx512Isa, .precision = Precision::bf16, .instruction = "vdpbf16ps zmm",
     .features = "avx512f avx512_bf16", .lanes = 16, .accumulators = kAvx512Accumulators,
     .flops_per_lane_iteration = 4, .max_iterations = kFp32MaxIterations,
     .supported = bf16_supported, .executable = bf16_executable, .drift = dot_drift,
     .run = avx512_bf16},
#if defined(ASSAY_HAVE_AVX512FP16_KERNEL)
    // Values return to their start every iteration (see avx512_fp16): any count is exact.
    {.isa = &kAvx512Isa, .precision = Precision::fp16, .instruction = "vfmadd231ph zmm",
     .features = "avx512f avx512_fp16", .lanes = 32, .accumulators = kAvx512Accumulators,
     .flops_per_lane_iteration = 4, .max_iterations = kFp64MaxIterations,
     .supported = fp16_supported, .executable = fp16_executable, .drift = pair_drift,
     .run = avx512_fp16},
#endif
};

#else

const std::array<const FmaIsa*, 1> kIsas{&kPortableIsa};

const FmaKernel kKernels[] = {kPortableFp64, kPortableFp32};

#endif

}  // namespace

std::string_view precision_name(Precision precision) {
  switch (precision) {
    case Precision::fp64: return "fp64";
    case Precision::fp32: return "fp32";
    case Precision::bf16: return "bf16";
    case Precision::fp16: return "fp16";
  }
  return "unknown";
}

FmaOperands default_fma_operands(Precision precision) {
  FmaOperands operands;
  if (precision == Precision::fp16) operands.second_addend = -operands.addend * operands.inverse;
  return operands;
}

std::string FmaKernel::label() const {
  return std::string(isa->name) + " " + std::string(precision_name(precision));
}

std::span<const FmaKernel> fma_kernels() { return kKernels; }

std::span<const FmaIsa* const> fma_isas() { return kIsas; }

const FmaIsa* find_fma_isa(std::string_view name) {
  for (const FmaIsa* isa : kIsas) {
    if (isa->name == name) return isa;
  }
  return nullptr;
}

bool fma_kernel_supported(const FmaKernel& kernel, const HostCpu& cpu, bool check_executable) {
  if (!kernel.isa->supported(cpu) || !kernel.supported(cpu)) return false;
  if (check_executable && (!kernel.isa->executable() || !kernel.executable())) return false;
  return true;
}

const FmaKernel* best_fma_kernel(Precision precision, const HostCpu& cpu, std::string_view isa,
                                 bool check_executable) {
  for (const FmaKernel& kernel : kKernels) {
    if (kernel.precision != precision) continue;
    if (isa != "auto" && kernel.isa->name != isa) continue;
    if (fma_kernel_supported(kernel, cpu, check_executable)) return &kernel;
  }
  return nullptr;
}

double fma_expected_value(const FmaKernel& kernel, const FmaOperands& operands, int accumulator,
                          int lane, std::uint64_t iterations) {
  return operands.start + static_cast<double>(accumulator * kernel.lanes + lane) +
         static_cast<double>(iterations) * kernel.drift(operands);
}

std::optional<FmaMismatch> check_fma_output(const FmaKernel& kernel, const FmaOperands& operands,
                                            std::uint64_t iterations, std::span<const double> got) {
  if (got.size() != kernel.values()) {
    throw std::invalid_argument(fmt::format("check_fma_output: {} kernel has {} values, got {}",
                                            kernel.label(), kernel.values(), got.size()));
  }
  for (int a = 0; a < kernel.accumulators; ++a) {
    for (int l = 0; l < kernel.lanes; ++l) {
      const double expected = fma_expected_value(kernel, operands, a, l, iterations);
      const double value = got[static_cast<std::size_t>(a) * kernel.lanes + l];
      // Exact comparison on purpose: every value is exactly representable.
      if (!(value == expected)) return FmaMismatch{a, l, expected, value};
    }
  }
  return std::nullopt;
}

std::string describe_mismatch(const FmaMismatch& mismatch) {
  // fmt's shortest round-trip form tells any two doubles apart.
  return fmt::format("accumulator {} lane {}: expected {}, got {}", mismatch.accumulator,
                     mismatch.lane, mismatch.expected, mismatch.got);
}

}  // namespace assay
