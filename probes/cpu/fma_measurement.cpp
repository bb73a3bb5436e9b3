#include "probes/cpu/fma_measurement.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <optional>

#include <fmt/format.h>

#include "probes/common/cpu_usage.h"
#include "probes/common/thread_team.h"
#include "probes/cpu/cpu_cores.h"

namespace assay {
namespace {

// Calibration grows a call until it lasts this long (or `seconds`, if shorter); it also
// brings the cores to the frequency and licence they hold under this load.
constexpr double kCalibrationSeconds = 0.05;
// The clock phase lasts this fraction of `seconds`, split into chunks timed one by one;
// each thread's clock is its median chunk, so one disturbed chunk does not count.
constexpr double kClockPhaseFraction = 0.5;
constexpr int kClockChunks = 8;

// What one thread leaves behind after a phase. Aligned so threads never share a line.
struct alignas(64) ThreadSlot {
  std::vector<double> out;
  std::optional<FmaMismatch> mismatch;
  std::uint64_t mismatch_call = 0;
  double cpu_seconds = 0;  // the thread's CPU time in the last kernel phase
  std::vector<double> chunk_hertz;
  bool chain_ok = true;
  std::uint64_t chain_result = 0;
};

// Ends a phase early on request; the caller then reports the cancellation.
bool cancelled(const std::atomic<bool>* cancel) {
  return cancel && cancel->load(std::memory_order_relaxed);
}

class Measurer {
 public:
  explicit Measurer(const FmaPlan& plan)
      : plan_(plan),
        team_(plan.cpus),
        slots_(plan.cpus.size()),
        core_of_thread_(core_keys(plan.cpus)) {}

  FmaMeasurement run() {
    FmaMeasurement m;
    m.chunks_per_clock = kClockChunks;
    for (const FmaKernel* kernel : plan_.kernels) {
      KernelFigures figures;
      figures.kernel = kernel;
      m.kernels.push_back(figures);
    }
    // Calibration first: it also warms the cores up.
    for (KernelFigures& k : m.kernels) {
      report(fmt::format("calibrating {}", k.kernel->label()));
      if (!calibrate(k, m)) return m;
    }
    const double clock_seconds = plan_.seconds * kClockPhaseFraction;
    const std::uint64_t loaded_chunk = calibrate_chain(plan_.loaded_chain, clock_seconds);
    const std::uint64_t plain_chunk = calibrate_chain(run_add_chain, clock_seconds);
    if (!clock_phase(run_add_chain, plain_chunk, m)) return m;
    m.idle_hertz = mean_of(core_clocks());

    for (int rep = 0; rep < plan_.repetitions; ++rep) {
      report(fmt::format("repetition {}/{}", rep + 1, plan_.repetitions));
      for (std::size_t i = 0; i < m.kernels.size(); ++i) {
        KernelFigures& k = m.kernels[i];
        const auto seconds = kernel_phase(k, k.iterations_per_call, k.calls, m);
        if (!seconds) return m;
        k.calls_checked += k.calls * slots_.size();
        double busy = 1.0;
        for (const ThreadSlot& slot : slots_) {
          busy = std::min(busy, slot.cpu_seconds / std::max(*seconds, 1e-9));
        }
        k.busy_fraction.push_back(busy);
        const double flops = static_cast<double>(slots_.size()) * static_cast<double>(k.calls) *
                             k.kernel->flops(k.iterations_per_call);
        k.flops_per_second.push_back(flops / std::max(*seconds, 1e-9));
        // The clock right after the first (FP64) phase, under the same ISA's FMA load.
        if (i == 0) {
          if (!clock_phase(plan_.loaded_chain, loaded_chunk, m)) return m;
          m.core_hertz.push_back(core_clocks());
        }
      }
    }
    return m;
  }

  bool all_pinned() const { return team_.all_pinned(); }

 private:
  void report(const std::string& text) const {
    if (plan_.progress) plan_.progress(text);
  }

  bool stop_if_cancelled(FmaMeasurement& m) const {
    if (!cancelled(plan_.cancel)) return false;
    m.error = "cancelled before the measurement finished";
    return true;
  }

  // Runs `calls` calls of `iterations` on every thread, checking every call's output.
  // Returns the wall time, or nullopt with m.error set.
  std::optional<double> kernel_phase(const KernelFigures& k, std::uint64_t iterations,
                                     std::uint64_t calls, FmaMeasurement& m) {
    const FmaKernel& kernel = *k.kernel;
    const FmaOperands operands = default_fma_operands(kernel.precision);
    for (auto& slot : slots_) {
      slot.out.assign(kernel.values(), 0.0);
      slot.mismatch.reset();
    }
    const double seconds = team_.run_timed([&](std::size_t t) {
      ThreadSlot& slot = slots_[t];
      const double cpu_begin = thread_cpu_seconds();
      for (std::uint64_t call = 0; call < calls && !cancelled(plan_.cancel); ++call) {
        kernel.run(operands, iterations, slot.out.data());
        // A few hundred compares after millions of FMAs: checking inside the timed
        // phase costs well under 0.1%, and every call is checked.
        if (auto mismatch = check_fma_output(kernel, operands, iterations, slot.out)) {
          slot.mismatch = mismatch;
          slot.mismatch_call = call;
          break;
        }
      }
      slot.cpu_seconds = thread_cpu_seconds() - cpu_begin;
    });
    for (std::size_t t = 0; t < slots_.size(); ++t) {
      if (const auto& mismatch = slots_[t].mismatch) {
        m.error = fmt::format(
            "{} kernel computed a wrong value on thread {} (CPU {}), call {} of {} "
            "({} iterations): {}",
            kernel.label(), t, plan_.cpus[t], slots_[t].mismatch_call + 1, calls, iterations,
            describe_mismatch(*mismatch));
        m.validation_failed = true;
        return std::nullopt;
      }
    }
    if (stop_if_cancelled(m)) return std::nullopt;
    return seconds;
  }

  // Grows one call until it takes about the calibration time, then splits `seconds` of
  // work into calls no longer than the kernel's exactness limit.
  bool calibrate(KernelFigures& k, FmaMeasurement& m) {
    const double target = std::min(kCalibrationSeconds, plan_.seconds);
    const std::uint64_t max = k.kernel->max_iterations;
    std::uint64_t iterations = std::min<std::uint64_t>(256, max);
    double elapsed = 0;
    for (;;) {
      const auto seconds = kernel_phase(k, iterations, 1, m);
      if (!seconds) return false;
      elapsed = *seconds;
      if (elapsed >= target || iterations >= max) break;
      const double grow = elapsed > 0 ? std::clamp(1.5 * target / elapsed, 2.0, 64.0) : 64.0;
      iterations = std::min<std::uint64_t>(
          max, static_cast<std::uint64_t>(static_cast<double>(iterations) * grow));
    }
    const double per_second = static_cast<double>(iterations) / std::max(elapsed, 1e-9);
    const double total = std::max(1.0, std::ceil(per_second * plan_.seconds));
    k.calls = static_cast<std::uint64_t>(std::ceil(total / static_cast<double>(max)));
    k.iterations_per_call =
        static_cast<std::uint64_t>(std::ceil(total / static_cast<double>(k.calls)));
    return true;
  }

  // Chunk length so that kClockChunks chunks take about `seconds` on this thread.
  static std::uint64_t calibrate_chain(AddChainFn chain, double seconds) {
    std::uint64_t iterations = 1024;
    ClockReading reading = time_add_chain(chain, iterations);
    while (reading.wall_seconds < 0.002 && iterations < (std::uint64_t{1} << 40)) {
      iterations *= 4;
      reading = time_add_chain(chain, iterations);
    }
    const double per_second =
        static_cast<double>(iterations) / std::max(reading.wall_seconds, 1e-9);
    return std::max<std::uint64_t>(1,
                                   static_cast<std::uint64_t>(per_second * seconds / kClockChunks));
  }

  // Times kClockChunks chunks of `chain` on every thread and checks what they returned.
  bool clock_phase(AddChainFn chain, std::uint64_t iterations, FmaMeasurement& m) {
    for (auto& slot : slots_) {
      slot.chunk_hertz.clear();
      slot.chain_ok = true;
    }
    team_.run([&](std::size_t t) {
      ThreadSlot& slot = slots_[t];
      for (int c = 0; c < kClockChunks; ++c) {
        const ClockReading reading = time_add_chain(chain, iterations);
        if (reading.result != add_chain_expected(iterations)) {
          slot.chain_ok = false;
          slot.chain_result = reading.result;
          return;
        }
        slot.chunk_hertz.push_back(reading.hertz);
      }
    });
    for (std::size_t t = 0; t < slots_.size(); ++t) {
      if (!slots_[t].chain_ok) {
        m.error = fmt::format(
            "clock add chain on thread {} (CPU {}) returned {} instead of {}: it did not run "
            "as written",
            t, plan_.cpus[t], slots_[t].chain_result, add_chain_expected(iterations));
        m.validation_failed = true;
        return false;
      }
    }
    return !stop_if_cancelled(m);
  }

  // Each physical core's clock: the mean of its threads' median chunks, in the order
  // the cores first appear.
  std::vector<double> core_clocks() const {
    std::vector<std::string> order;
    std::map<std::string, std::vector<double>> per_core;
    for (std::size_t t = 0; t < slots_.size(); ++t) {
      auto& clocks = per_core[core_of_thread_[t]];
      if (clocks.empty()) order.push_back(core_of_thread_[t]);
      clocks.push_back(median_of(slots_[t].chunk_hertz));
    }
    std::vector<double> result;
    for (const auto& key : order) result.push_back(mean_of(per_core[key]));
    return result;
  }

  const FmaPlan& plan_;
  ThreadTeam team_;
  std::vector<ThreadSlot> slots_;
  std::vector<std::string> core_of_thread_;
};

}  // namespace

double mean_of(const std::vector<double>& values) {
  if (values.empty()) return 0;
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

double median_of(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

FmaMeasurement measure_fma(const FmaPlan& plan) {
  Measurer measurer(plan);
  FmaMeasurement m = measurer.run();
  // Asked afterwards: the threads pin themselves once they start.
  m.all_pinned = measurer.all_pinned();
  return m;
}

}  // namespace assay
