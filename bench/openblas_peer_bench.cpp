// The peer of cpu.gemm: a plain program that calls OpenBLAS' cblas_dgemm/cblas_sgemm
// directly, with the same n and thread count, so the probe's figures can be set side
// by side with what OpenBLAS gives without assay around it (docs/probes/cpu-gemm.md).
//
//   openblas_peer_bench [--n=4096] [--threads=<allowed CPUs>] [benchmark flags]
//
// Like most programs it leaves OpenBLAS' threads where the OS puts them (Debian's
// OpenBLAS is built with NO_AFFINITY); the probe pins them.

#include <benchmark/benchmark.h>
#include <cblas.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "probes/common/thread_team.h"

namespace {

template <class T>
void fill(std::vector<T>& m, unsigned seed) {
  std::mt19937_64 engine(seed);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  for (auto& x : m) x = static_cast<T>(dist(engine));
}

void call(int n, const double* a, const double* b, double* c) {
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
}
void call(int n, const float* a, const float* b, float* c) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0F, a, n, b, n, 0.0F, c, n);
}

template <class T>
void gemm(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const auto count = static_cast<std::size_t>(n) * static_cast<std::size_t>(n);
  std::vector<T> a(count), b(count), c(count);
  fill(a, 1);
  fill(b, 2);
  call(n, a.data(), b.data(), c.data());  // warm-up: thread pool, buffers, page faults
  for (auto _ : state) {
    call(n, a.data(), b.data(), c.data());
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  state.counters["FLOP/s"] = benchmark::Counter(2.0 * std::pow(static_cast<double>(n), 3),
                                                benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = openblas_get_num_threads();
}

// Takes "--name=value" out of argv (Google Benchmark rejects flags it does not know).
long take_flag(int& argc, char** argv, std::string_view name, long fallback) {
  const std::string prefix = "--" + std::string(name) + "=";
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg(argv[i]);
    if (arg.substr(0, prefix.size()) != prefix) continue;
    const long value = std::strtol(argv[i] + prefix.size(), nullptr, 10);
    for (int j = i; j + 1 < argc; ++j) argv[j] = argv[j + 1];
    --argc;
    return value;
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const long n = take_flag(argc, argv, "n", 4096);
  const long threads =
      take_flag(argc, argv, "threads", static_cast<long>(assay::allowed_cpus().size()));
  openblas_set_num_threads(static_cast<int>(threads));
  benchmark::AddCustomContext("openblas_config", openblas_get_config());
  benchmark::AddCustomContext("openblas_core", openblas_get_corename());
  benchmark::RegisterBenchmark("cblas_dgemm", gemm<double>)
      ->Arg(n)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("cblas_sgemm", gemm<float>)
      ->Arg(n)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
