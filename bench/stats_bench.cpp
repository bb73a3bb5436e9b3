// Cost of assay's own statistics and unit parsing: summarize() runs once per metric
// (and again in `assay verify` for every metric of every node), parse_quantity() once
// per rated figure of a plan or catalog.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "core/stats.h"
#include "core/units.h"

namespace {

std::vector<double> samples(std::size_t n) {
  std::mt19937_64 rng(42);
  std::normal_distribution<double> normal(1.2e11, 3e9);
  std::vector<double> x(n);
  for (double& v : x) v = normal(rng);
  return x;
}

void BM_Summarize(benchmark::State& state) {
  const auto x = samples(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto s = assay::summarize(x);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Summarize)->Arg(10)->Arg(1000)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);

// The confidence-interval ranks alone, which for large n is a search over binomial tails.
void BM_MedianCiRanks(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    auto r = assay::median_ci_ranks(n);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_MedianCiRanks)->Arg(10)->Arg(1000)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);

void BM_ParseQuantity(benchmark::State& state) {
  const std::vector<std::string> figures = {"989.5 TFLOP/s", "3.35 TB/s", "400 Gb/s", "64 GiB",
                                            "700 W",         "1.5 us",    "90%",      "1.2288e12 FLOP/s"};
  std::size_t i = 0;
  for (auto _ : state) {
    auto q = assay::parse_quantity(figures[i]);
    benchmark::DoNotOptimize(q);
    i = (i + 1) % figures.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseQuantity);

void BM_FormatQuantity(benchmark::State& state) {
  double v = 989.5e12;
  for (auto _ : state) {
    auto text = assay::format_quantity(v, assay::Unit::flop_per_s);
    benchmark::DoNotOptimize(text);
  }
}
BENCHMARK(BM_FormatQuantity);

}  // namespace

BENCHMARK_MAIN();
