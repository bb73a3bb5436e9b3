// The cpu.fma inner loops on one thread: every kernel this CPU runs, with its FLOP/s
// as a counter, and the clock chains with their rate in Hz. Benchmarks are registered
// explicitly in main() for the kernels the CPU supports (no static registration).
//
//   build/release/bench/fma_kernel_bench --benchmark_counters_tabular=true

#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "probes/common/host_topology.h"
#include "probes/cpu/clock_kernel.h"
#include "probes/cpu/fma_kernels.h"

namespace {

using namespace assay;

// Long enough per call (~0.2-1 ms) that the store and check after it do not count,
// and within every kernel's exactness limit.
constexpr std::uint64_t kIterationsPerCall = 1 << 14;
constexpr std::uint64_t kChainIterations = 1 << 14;

void bench_kernel(benchmark::State& state, const FmaKernel* kernel) {
  const FmaOperands operands = default_fma_operands(kernel->precision);
  std::vector<double> out(kernel->values());
  for (auto _ : state) {
    kernel->run(operands, kIterationsPerCall, out.data());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  if (const auto mismatch = check_fma_output(*kernel, operands, kIterationsPerCall, out)) {
    state.SkipWithError(("wrong result: " + describe_mismatch(*mismatch)).c_str());
    return;
  }
  state.counters["FLOP/s"] = benchmark::Counter(
      kernel->flops(kIterationsPerCall) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
  state.SetLabel(std::string(kernel->instruction));
}

void bench_chain(benchmark::State& state, AddChainFn chain) {
  std::uint64_t result = 0;
  for (auto _ : state) {
    result = chain(kChainIterations);
    benchmark::DoNotOptimize(result);
  }
  if (result != add_chain_expected(kChainIterations)) {
    state.SkipWithError("the add chain returned a wrong count");
    return;
  }
  // One dependent add per cycle: adds per second is the clock.
  state.counters["Hz"] =
      benchmark::Counter(static_cast<double>(add_chain_expected(kChainIterations)) *
                             static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  const HostCpu host = read_host_cpu("/");
  for (const FmaKernel& kernel : fma_kernels()) {
    if (!fma_kernel_supported(kernel, host)) continue;
    benchmark::RegisterBenchmark(("fma/" + kernel.label()).c_str(), bench_kernel, &kernel)
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::RegisterBenchmark("clock/add_chain", bench_chain, run_add_chain)
      ->Unit(benchmark::kMicrosecond);
  for (const FmaIsa* isa : fma_isas()) {
    if (!isa->loaded_add_chain || !isa->supported(host) || !isa->executable()) continue;
    benchmark::RegisterBenchmark(
        ("clock/add_chain_with_" + std::string(isa->name) + "_fma").c_str(), bench_chain,
        isa->loaded_add_chain)
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
