#pragma once
// The cpu.fma kernel table: for each instruction set and precision, a loop of
// independent multiply-add chains whose every result is exactly representable, so
// the output can be compared bit for bit with a closed form.
//
// A kernel "iteration" advances every lane of every accumulator by one step of its
// chain; for the FMA kernels one step is two dependent FMAs
//     x <- x * m + k1,   x <- x * (1/m) + k2      (net: x + k1/m + k2)
// and for the BF16 dot-product kernel one vdpbf16ps
//     x <- x + a0*b0 + a1*b1   with (a0, a1) = (1/m, k2), (b0, b1) = (k1, k1).
// Lane `l` of accumulator `a` starts at  start + a * lanes + l, so after n iterations
// it holds  start + a * lanes + l + n * drift  exactly, as long as n stays within the
// kernel's max_iterations (the bound that keeps every intermediate value an integer
// or half-integer the format represents).
//
// New instruction sets (Arm NEON, SVE) are new rows: a FmaIsa with its own support
// check and FmaKernel rows pointing at it, in their own source file with their flags.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "probes/common/host_topology.h"

namespace assay {

/// Floating-point formats the probe measures.
enum class Precision { fp64, fp32, bf16, fp16 };

/// "fp64", "fp32", "bf16", "fp16": the last part of the metric key.
std::string_view precision_name(Precision precision);

/// Values the kernels read at run time, so no compiler can fold the chains away.
struct FmaOperands {
  double start = 1.0;       ///< first lane's starting value
  double multiplier = 2.0;  ///< m
  double inverse = 0.5;     ///< 1/m, exact because m is a power of two
  double addend = 1.0;      ///< k1
  /// k2: 0.5 makes every step pair add exactly 1 (k1/m + k2); FP16 uses -0.5 so values
  /// stay put, because its 11-bit significand could not count far.
  double second_addend = 0.5;
};

/// The operands the probe uses for a precision (see FmaOperands::second_addend).
FmaOperands default_fma_operands(Precision precision);

/// An instruction set the kernels are written for.
struct FmaIsa {
  std::string_view name;  ///< "avx512", "avx2", "portable"; the `kernel` parameter's values
  /// Register width in bits; 0 when the compiler chooses (portable code).
  int vector_bits = 0;
  /// Whether the FLOPs are counted from fused multiply-add instructions. The portable
  /// kernel may compile to separate multiplies and adds, so no peak is derived for it.
  bool fused = false;
  /// From /proc/cpuinfo flags (testable with fixture trees).
  bool (*supported)(const HostCpu& cpu) = nullptr;
  /// What this process can execute, asked of the CPU itself (CPUID and the OS-enabled
  /// register state): guards against a cpuinfo that describes another machine.
  bool (*executable)() = nullptr;
  /// A dependent integer-add chain interleaved with this ISA's widest FMAs, for the
  /// clock under the same load (see clock_kernel.h); null when the ISA has none.
  /// Returns a value derived from the chain.
  std::uint64_t (*loaded_add_chain)(std::uint64_t iterations) = nullptr;
};

/// One kernel: an ISA at one precision.
struct FmaKernel {
  const FmaIsa* isa = nullptr;
  Precision precision = Precision::fp64;
  std::string_view instruction;  ///< for notes, e.g. "vfmadd231pd zmm"
  /// The cpuinfo flags it needs, for notes on why it cannot run, e.g. "avx512f avx512_bf16".
  std::string_view features;
  int lanes = 1;         ///< accumulator elements per vector register
  int accumulators = 1;  ///< independent chains (vector registers)
  /// FLOPs per lane of one accumulator per iteration: 4 for two FMAs (2 each); 4 for one
  /// vdpbf16ps (2 products and 2 additions per FP32 lane).
  double flops_per_lane_iteration = 4;
  /// Largest iteration count per call for which every value is exact.
  std::uint64_t max_iterations = 1;
  /// Extra CPU features beyond the ISA's (e.g. avx512_bf16), from cpuinfo flags.
  bool (*supported)(const HostCpu& cpu) = nullptr;
  /// Extra features the process can execute (CPUID), like FmaIsa::executable.
  bool (*executable)() = nullptr;
  /// Net change of every value per iteration, from the operands.
  double (*drift)(const FmaOperands& operands) = nullptr;
  /// Runs `iterations` iterations from the starting values and writes every lane of
  /// every accumulator to out[accumulator * lanes + lane]; `out` holds
  /// accumulators * lanes values.
  void (*run)(const FmaOperands& operands, std::uint64_t iterations, double* out) = nullptr;

  std::size_t values() const { return static_cast<std::size_t>(accumulators) * lanes; }
  /// FLOPs of one call of `iterations` iterations.
  double flops(std::uint64_t iterations) const {
    return static_cast<double>(iterations) * flops_per_lane_iteration *
           static_cast<double>(values());
  }
  /// "avx512 fp64"
  std::string label() const;
};

/// Every kernel compiled in, best first within each precision.
std::span<const FmaKernel> fma_kernels();

/// Whether `kernel` can run: cpuinfo says so and, when `check_executable`, the CPU
/// this process runs on can execute it too.
bool fma_kernel_supported(const FmaKernel& kernel, const HostCpu& cpu,
                          bool check_executable = true);

/// The best supported kernel for `precision`, restricted to the ISA named `isa` unless
/// it is "auto"; nullptr when none runs here.
const FmaKernel* best_fma_kernel(Precision precision, const HostCpu& cpu,
                                 std::string_view isa = "auto", bool check_executable = true);

/// Every ISA compiled in, best first.
std::span<const FmaIsa* const> fma_isas();

/// The ISA with this name, or nullptr.
const FmaIsa* find_fma_isa(std::string_view name);

/// The value lane `lane` of accumulator `accumulator` must hold after `iterations`:
/// start + accumulator * lanes + lane + iterations * drift.
double fma_expected_value(const FmaKernel& kernel, const FmaOperands& operands, int accumulator,
                          int lane, std::uint64_t iterations);

/// The first value that differs from the closed form.
struct FmaMismatch {
  int accumulator = 0;
  int lane = 0;
  double expected = 0;
  double got = 0;
};

/// Compares every lane of every accumulator with the closed form (exact equality);
/// nullopt when all match. `got` must hold kernel.values() values.
std::optional<FmaMismatch> check_fma_output(const FmaKernel& kernel, const FmaOperands& operands,
                                            std::uint64_t iterations, std::span<const double> got);

/// "accumulator 3 lane 5: expected 1025, got 1024" for error messages.
std::string describe_mismatch(const FmaMismatch& mismatch);

// The kernels themselves, one source file per instruction set, each compiled with
// that set's flags (probes/cpu/CMakeLists.txt). Those files define only these plain
// functions and call no inline code shared with other files: an inline function
// instantiated there would be compiled with AVX-512 encodings, and the linker may keep
// that copy for every caller, which would then fault on CPUs without AVX-512. The table
// that describes them (lanes, accumulators, support checks) lives in fma_kernels.cpp.
namespace fma_detail {

inline constexpr int kAvx512Accumulators = 16;
inline constexpr int kAvx2Accumulators = 12;
inline constexpr int kPortableChains = 16;

#if defined(__x86_64__)
// fma_kernels_avx512.cpp (-mavx512f -mfma)
void avx512_fp64(const FmaOperands& operands, std::uint64_t iterations, double* out);
void avx512_fp32(const FmaOperands& operands, std::uint64_t iterations, double* out);
std::uint64_t avx512_loaded_add_chain(std::uint64_t iterations);
// fma_kernels_avx512bf16.cpp (-mavx512f -mavx512bf16)
void avx512_bf16(const FmaOperands& operands, std::uint64_t iterations, double* out);
// fma_kernels_avx512fp16.cpp (-mavx512f -mavx512fp16)
void avx512_fp16(const FmaOperands& operands, std::uint64_t iterations, double* out);
// fma_kernels_avx2.cpp (-mavx2 -mfma)
void avx2_fp64(const FmaOperands& operands, std::uint64_t iterations, double* out);
void avx2_fp32(const FmaOperands& operands, std::uint64_t iterations, double* out);
std::uint64_t avx2_loaded_add_chain(std::uint64_t iterations);
#endif

// fma_kernels_portable.cpp (no ISA flags)
void portable_fp64(const FmaOperands& operands, std::uint64_t iterations, double* out);
void portable_fp32(const FmaOperands& operands, std::uint64_t iterations, double* out);

}  // namespace fma_detail

}  // namespace assay
