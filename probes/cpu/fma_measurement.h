#pragma once
// The timed part of cpu.fma: calibrates each kernel, then per repetition runs every
// kernel on all threads at once (each call checked against its closed form) and
// measures the clock under the FP64 kernel's load. Turning the figures into metrics
// and notes is cpu_fma_probe.cpp's job.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "probes/cpu/clock_kernel.h"
#include "probes/cpu/fma_kernels.h"

namespace assay {

/// What to measure.
struct FmaPlan {
  std::vector<int> cpus;                  ///< one pinned thread per CPU
  std::vector<const FmaKernel*> kernels;  ///< timed in this order each repetition
  AddChainFn loaded_chain = nullptr;      ///< clock chain under the first kernel's load
  int repetitions = 1;
  double seconds = 0.2;  ///< per kernel phase; the clock phase is half
  const std::atomic<bool>* cancel = nullptr;
  std::function<void(std::string_view)> progress;
};

/// One kernel's figures.
struct KernelFigures {
  const FmaKernel* kernel = nullptr;
  std::uint64_t iterations_per_call = 1;  ///< calibrated, within the exactness limit
  std::uint64_t calls = 1;                ///< per thread per repetition
  std::vector<double> flops_per_second;   ///< one per repetition, all threads together
  std::uint64_t calls_checked = 0;        ///< over all threads and repetitions
  /// Per repetition, the smallest share of the phase's wall time any thread spent on
  /// its CPU; below 1 when other processes took turns on these CPUs.
  std::vector<double> busy_fraction;
};

/// Everything measured, or where it stopped.
struct FmaMeasurement {
  std::vector<KernelFigures> kernels;
  /// Per repetition, the clock of each physical core used (its threads' mean, each
  /// thread's the median of its timed chunks), in hertz.
  std::vector<std::vector<double>> core_hertz;
  /// The same without FMA load (plain add chain), measured once before the
  /// repetitions; the mean over cores.
  double idle_hertz = 0;
  int chunks_per_clock = 0;  ///< chunks each thread's clock is the median of
  bool all_pinned = true;    ///< every thread ran pinned to its CPU
  /// Non-empty when the run stopped early: a wrong result, a broken chain, cancellation.
  std::string error;
  /// The error is a wrong result (validation failed), not an interruption.
  bool validation_failed = false;
};

/// Runs the plan. Never throws for a wrong result; the ThreadTeam may throw if threads
/// cannot be started.
FmaMeasurement measure_fma(const FmaPlan& plan);

/// Mean of `values` (0 for none).
double mean_of(const std::vector<double>& values);

/// Median of `values` (0 for none).
double median_of(std::vector<double> values);

}  // namespace assay
