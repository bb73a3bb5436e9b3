#include "probes/cpu/cpu_fma_probe.h"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/units.h"
#include "probes/common/host_topology.h"
#include "probes/common/thread_team.h"
#include "probes/common/cpu_usage.h"
#include "probes/cpu/clock_kernel.h"
#include "probes/cpu/cpu_cores.h"
#include "probes/cpu/cpu_uarch.h"
#include "probes/cpu/fma_kernels.h"
#include "probes/cpu/fma_measurement.h"

namespace assay {
namespace {

constexpr std::string_view kProbeName = "cpu.fma";
// Below this share of a phase on their CPUs, threads were disturbed enough to say so.
constexpr double kBusyEnough = 0.97;
constexpr Precision kPrecisions[] = {Precision::fp64, Precision::fp32, Precision::bf16,
                                     Precision::fp16};

// "auto" and every instruction set this build has kernels for.
std::vector<std::string> isa_choices() {
  std::vector<std::string> names{"auto"};
  for (const FmaIsa* isa : fma_isas()) names.emplace_back(isa->name);
  return names;
}

class CpuFmaProbe final : public Probe {
 public:
  std::string_view name() const override { return kProbeName; }

  std::string_view description() const override {
    return "peak FP64/FP32/BF16/FP16 FLOP/s with SIMD FMA kernels, the effective clock, "
           "and the derived theoretical peak";
  }

  std::vector<ParamSpec> params() const override {
    const double allowed = static_cast<double>(allowed_cpus().size());
    std::string isas;
    for (const FmaIsa* isa : fma_isas()) isas += ", " + std::string(isa->name);
    return {
        {"threads", ParamKind::integer, static_cast<std::int64_t>(allowed),
         "worker threads, one pinned per CPU, filling distinct physical cores first "
         "(default: every CPU this process may use)",
         1.0, allowed},
        {"repetitions", ParamKind::integer, std::int64_t{5},
         "timed repetitions; each metric's samples hold one figure per repetition", 1.0, 1000.0},
        {"seconds", ParamKind::seconds, 0.2,
         "duration of each timed phase: one per precision per repetition, plus a clock "
         "phase of half this",
         0.001, 3600.0},
        {"isa", ParamKind::text, std::string("auto"),
         "instruction set: auto (the best this CPU runs)" + isas, std::nullopt, std::nullopt,
         isa_choices()},
    };
  }

  std::vector<MetricSpec> metrics() const override {
    return {
        {"cpu.fma.fp64", Unit::flop_per_s, Better::higher, "FP64 FMA throughput of all threads"},
        {"cpu.fma.fp32", Unit::flop_per_s, Better::higher, "FP32 FMA throughput of all threads"},
        {"cpu.fma.bf16", Unit::flop_per_s, Better::higher,
         "BF16 dot-product throughput (vdpbf16ps, FP32 accumulate), where the CPU has it"},
        {"cpu.fma.fp16", Unit::flop_per_s, Better::higher,
         "FP16 FMA throughput (AVX512-FP16), where the CPU has it"},
        {"cpu.clock", Unit::hertz, Better::higher,
         "effective core clock under FMA load, mean over the cores used"},
        {"cpu.fma.fp64_peak_derived", Unit::flop_per_s, Better::higher,
         "theoretical FP64 peak: cores x measured clock x FLOPs/cycle of the kernel's ISA"},
        {"cpu.fma.fp32_peak_derived", Unit::flop_per_s, Better::higher,
         "theoretical FP32 peak: cores x measured clock x FLOPs/cycle of the kernel's ISA"},
    };
  }

  Availability availability() const override {
    if (allowed_cpus().empty()) return {false, "this process may run on no CPU"};
    return {};  // the portable kernel runs anywhere
  }

  Expected<void> check_params(const ParamList& params) const override;
  ProbeResult run(const ParamList& params, const ProbeContext& context) const override;
};

// Why no kernel runs for `precision`, for the notes.
std::string why_not_measured(Precision precision, const HostCpu& cpu, std::string_view isa) {
  std::vector<std::string> lacking;
  bool any_row = false;
  for (const FmaKernel& kernel : fma_kernels()) {
    if (kernel.precision != precision) continue;
    if (isa != "auto" && kernel.isa->name != isa) continue;
    any_row = true;
    if (!fma_kernel_supported(kernel, cpu, false)) {
      lacking.push_back(fmt::format("{} needs {}", kernel.label(), kernel.features));
    } else {
      lacking.push_back(
          fmt::format("{}: this CPU cannot execute it (CPUID) although "
                      "/proc/cpuinfo lists {}",
                      kernel.label(), kernel.features));
    }
  }
  const std::string p(precision_name(precision));
  if (!any_row) {
    return isa == "auto" ? fmt::format("{}: not measured: this build has no {} kernel", p, p)
                         : fmt::format("{}: not measured: no {} kernel for isa = {}", p, p, isa);
  }
  return fmt::format("{}: not measured: the CPU lacks it ({})", p, fmt::join(lacking, "; "));
}

// cpu.fma.<p>_peak_derived for the FP64 and FP32 kernels: cores x clock x FLOP/cycle,
// one sample per repetition; notes say why a peak is not derived and how close the
// measured figure came.
void add_derived_peaks(const FmaMeasurement& m, const CpuUarch& uarch, int cores,
                       ProbeResult& result) {
  for (const KernelFigures& k : m.kernels) {
    const Precision p = k.kernel->precision;
    if (p != Precision::fp64 && p != Precision::fp32) continue;
    const std::string name(precision_name(p));
    const std::string key = "cpu.fma." + name + "_peak_derived";
    const FmaIsa& isa = *k.kernel->isa;
    if (!isa.fused) {
      result.notes.push_back(fmt::format(
          "{} not derived: the {} kernel's instructions are the compiler's choice", key, isa.name));
      continue;
    }
    const double per_cycle =
        fma_flops_per_cycle(uarch, isa.vector_bits, p == Precision::fp64 ? 64 : 32);
    if (per_cycle <= 0) {
      result.notes.push_back(
          fmt::format("{} not derived: the table has no {}-bit FMA figure for {}", key,
                      isa.vector_bits, uarch.name));
      continue;
    }
    std::vector<double> samples;
    std::vector<double> clocks;
    for (const auto& core_hertz : m.core_hertz) {
      // Sum over cores rather than cores x mean: the same unless cores differ, and then right.
      samples.push_back(std::accumulate(core_hertz.begin(), core_hertz.end(), 0.0) * per_cycle);
      clocks.push_back(mean_of(core_hertz));
    }
    Metric peak = make_metric(key, Unit::flop_per_s, Better::higher, samples);
    peak.note = fmt::format(
        "derived, not rated: {} cores x {} (cpu.clock median) x {} FLOP/cycle ({}-bit FMA {} "
        "on {}{}) = {}",
        cores, format_quantity(median_of(clocks), Unit::hertz), per_cycle, isa.vector_bits, name,
        uarch.name, uarch.known ? "" : "; FLOPs/cycle " + uarch.source,
        format_quantity(peak.value, Unit::flop_per_s));
    const double measured = median_of(k.flops_per_second);
    if (peak.value > 0) {
      result.notes.push_back(fmt::format("{}: {:.1f}% of the derived peak ({} of {})", name,
                                         100.0 * measured / peak.value,
                                         format_quantity(measured, Unit::flop_per_s),
                                         format_quantity(peak.value, Unit::flop_per_s)));
      // More than a few percent above a peak means the peak is wrong, not the kernel.
      if (measured > 1.03 * peak.value) {
        result.notes.push_back(fmt::format(
            "{}: measured above the derived peak: the FLOPs/cycle for {} are too low, or the "
            "clock read low (on CPUs that share ports between integer and vector work, the "
            "clock chain can be slowed by the FMAs beside it)",
            name, uarch.name));
      }
    }
    result.metrics.push_back(std::move(peak));
  }
}

std::string clock_method(const FmaIsa& isa) {
  if (!isa.loaded_add_chain) return "dependent integer-add chain, right after each FP64 phase";
  return fmt::format(
      "dependent integer-add chain interleaved with {}-bit FMAs (half of two FMA "
      "pipes), right after each FP64 phase",
      isa.vector_bits);
}

// Notes a reader needs to trust the figures: kernels, machine, clock method, load.
void add_context_notes(const FmaMeasurement& m, const FmaIsa& isa, const CpuUarch& uarch,
                       const HostCpu& host, const std::vector<int>& cpus, int cores,
                       bool all_pinned, ProbeResult& result) {
  for (const KernelFigures& k : m.kernels) {
    const FmaKernel& kernel = *k.kernel;
    result.notes.push_back(fmt::format(
        "{}: kernel {} ({}, {} accumulators x {} lanes; per thread and repetition {} x {} "
        "iterations)",
        precision_name(kernel.precision), kernel.isa->name, kernel.instruction, kernel.accumulators,
        kernel.lanes, k.calls, k.iterations_per_call));
    const auto disturbed = std::count_if(k.busy_fraction.begin(), k.busy_fraction.end(),
                                         [](double busy) { return busy < kBusyEnough; });
    if (disturbed > 0) {
      result.notes.push_back(fmt::format(
          "{}: in {} of {} repetitions a thread was on its CPU for under {:.0f}% of the timed "
          "phase (lowest {:.0f}%): other processes share these CPUs, which lowers FLOP/s (the "
          "clock counts CPU time only); rerun on a quiet machine",
          precision_name(kernel.precision), disturbed, k.busy_fraction.size(), 100 * kBusyEnough,
          100.0 * *std::min_element(k.busy_fraction.begin(), k.busy_fraction.end())));
    }
  }
  result.notes.push_back(fmt::format("microarchitecture: {} ({}{})", uarch.name,
                                     uarch.known ? "source: " : "", uarch.source));
  result.notes.push_back(fmt::format(
      "clock: {}; each thread's clock is the median of {} chunks timed by its CPU time; "
      "without FMA load {}",
      clock_method(isa), m.chunks_per_clock, format_quantity(m.idle_hertz, Unit::hertz)));
  if (!add_chain_exact()) {
    result.notes.push_back(
        "clock approximate: no assembly add chain for this architecture; the compiler's loop "
        "is assumed to do one add per cycle");
  }
  result.notes.push_back(fmt::format("{} threads on {} physical cores (CPUs {})", cpus.size(),
                                     cores, cpu_list_text(cpus)));
  if (static_cast<int>(cpus.size()) > cores) {
    result.notes.push_back(
        "more threads than physical cores: SMT siblings share a core's FMA units, so the "
        "derived peak counts cores, not threads");
  }
  if (!all_pinned) {
    result.notes.push_back("some threads could not be pinned to their CPU; figures may be low");
  }
  if (host.hypervisor) {
    result.notes.push_back(
        "running under a hypervisor: figures are what this VM's virtual CPUs received; time "
        "the host gives to other guests is invisible to the clock measurement");
  }
}

Expected<void> CpuFmaProbe::check_params(const ParamList& params) const {
  const auto threads = static_cast<std::size_t>(param_int(params, "threads"));
  const std::string isa_name = param_text(params, "isa");
  const std::vector<int> allowed = allowed_cpus();
  if (threads < 1 || threads > allowed.size()) {
    return bad_input(fmt::format("{}: threads = {}: this process may run on {} CPUs ({})", kProbeName,
                                 threads, allowed.size(), cpu_list_text(allowed)));
  }
  if (isa_name == "auto") return {};
  const HostCpu host = read_host_cpu("/");
  if (best_fma_kernel(Precision::fp64, host, isa_name) == nullptr) {
    return bad_input(fmt::format("{}: isa = {}: {}", kProbeName, isa_name,
                                 why_not_measured(Precision::fp64, host, isa_name)));
  }
  return {};
}

ProbeResult CpuFmaProbe::run(const ParamList& params, const ProbeContext& context) const {
  ProbeResult result;
  result.probe = std::string(kProbeName);
  result.node = context.node;
  result.subject = "cpu";
  result.params = params;
  auto fail = [&](std::string message) {
    result.status = ProbeStatus::error;
    result.error = std::move(message);
    result.metrics.clear();
    return result;
  };

  if (auto checked = check_params(params); !checked) return fail(checked.error().message);
  const auto threads = static_cast<std::size_t>(param_int(params, "threads"));
  const std::string isa_name = param_text(params, "isa");
  const std::vector<int> allowed = allowed_cpus();

  // Threads fill distinct physical cores before SMT siblings.
  FmaPlan plan;
  plan.cpus = order_cpus_by_core(allowed);
  plan.cpus.resize(threads);
  const int cores = count_physical_cores(plan.cpus);

  const HostCpu host = read_host_cpu("/");
  for (Precision precision : kPrecisions) {
    if (const FmaKernel* kernel = best_fma_kernel(precision, host, isa_name)) {
      plan.kernels.push_back(kernel);
    } else {
      result.notes.push_back(why_not_measured(precision, host, isa_name));
    }
  }
  if (plan.kernels.empty() || plan.kernels.front()->precision != Precision::fp64) {
    return fail(
        fmt::format("isa = {}: this CPU cannot run it ({})", isa_name,
                    result.notes.empty() ? std::string("no FP64 kernel") : result.notes.front()));
  }
  const FmaIsa& isa = *plan.kernels.front()->isa;
  set_param(result.params, "isa", std::string(isa.name));
  plan.loaded_chain = isa.loaded_add_chain ? isa.loaded_add_chain : run_add_chain;
  plan.repetitions = static_cast<int>(param_int(params, "repetitions"));
  plan.seconds = param_real(params, "seconds");
  plan.cancel = context.cancel;
  plan.progress = context.progress;

  const FmaMeasurement m = measure_fma(plan);
  if (!m.error.empty()) {
    if (m.validation_failed) result.validation = {true, false, m.error};
    return fail(m.error);
  }

  for (const KernelFigures& k : m.kernels) {
    result.metrics.push_back(
        make_metric("cpu.fma." + std::string(precision_name(k.kernel->precision)), Unit::flop_per_s,
                    Better::higher, k.flops_per_second));
  }
  std::vector<double> clock_samples;
  for (const auto& core_hertz : m.core_hertz) clock_samples.push_back(mean_of(core_hertz));
  result.metrics.push_back(
      make_metric("cpu.clock", Unit::hertz, Better::higher, clock_samples, ValueRule::median, {},
                  fmt::format("mean over {} cores; {}", cores, clock_method(isa))));
  const CpuUarch uarch = lookup_cpu_uarch(host);
  add_derived_peaks(m, uarch, cores, result);
  add_context_notes(m, isa, uarch, host, plan.cpus, cores, m.all_pinned, result);

  std::vector<std::string> checked;
  for (const KernelFigures& k : m.kernels) {
    checked.push_back(fmt::format("{}: {} values x {} calls", precision_name(k.kernel->precision),
                                  k.kernel->values(), k.calls_checked));
  }
  result.validation.checked = true;
  result.validation.passed = true;
  result.validation.detail = fmt::format(
      "exact: after every kernel call on every thread, every lane of every accumulator "
      "equalled its closed form start + index + iterations x drift ({}); every clock add "
      "chain returned its expected count",
      fmt::join(checked, ", "));
  result.status = ProbeStatus::ok;
  return result;
}

}  // namespace

std::unique_ptr<Probe> make_cpu_fma_probe() { return std::make_unique<CpuFmaProbe>(); }

}  // namespace assay
