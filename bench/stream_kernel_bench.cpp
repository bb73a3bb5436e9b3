// The STREAM kernels of memory.stream, one thread, per instruction set and store kind,
// in bytes per second as STREAM counts them: how good each kernel's code is, apart
// from the thread team. Sizes: arrays that stay in L2 and arrays far beyond the LLC.
//
//   stream_kernel_bench [--benchmark_filter=triad] [benchmark flags]

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <utility>

#include "probes/memory/stream_check.h"
#include "probes/memory/stream_kernels.h"

namespace {

using namespace assay;

struct Free {
  void operator()(double* p) const { std::free(p); }
};
using Array = std::unique_ptr<double[], Free>;

Array allocate(std::size_t elements) {
  const std::size_t bytes = (elements * sizeof(double) + 4095) / 4096 * 4096;
  return Array(static_cast<double*>(std::aligned_alloc(4096, bytes)));
}

enum class Kernel { copy, scale, add, triad };

std::size_t bytes_per_element(Kernel kernel) {
  switch (kernel) {
    case Kernel::copy: return stream_copy_bytes_per_element;
    case Kernel::scale: return stream_scale_bytes_per_element;
    case Kernel::add: return stream_add_bytes_per_element;
    case Kernel::triad: return stream_triad_bytes_per_element;
  }
  return 0;
}

void run(benchmark::State& state, const StreamKernels* kernels, Kernel kernel) {
  const auto n = static_cast<std::size_t>(state.range(0));
  Array a = allocate(n), b = allocate(n), c = allocate(n);
  if (!a || !b || !c) {
    state.SkipWithError("could not allocate the arrays");
    return;
  }
  stream_fill_initial({a.get(), n}, {b.get(), n}, {c.get(), n}, 0);
  // Each kernel reads arrays that it does not write, so repeating it keeps the values
  // bounded however many iterations the library chooses.
  for (auto _ : state) {
    switch (kernel) {
      case Kernel::copy: kernels->copy(a.get(), c.get(), n); break;
      case Kernel::scale: kernels->scale(c.get(), b.get(), stream_scalar, n); break;
      case Kernel::add: kernels->add(a.get(), b.get(), c.get(), n); break;
      case Kernel::triad: kernels->triad(b.get(), c.get(), a.get(), stream_scalar, n); break;
    }
    benchmark::ClobberMemory();
  }
  state.counters["bytes/s"] =
      benchmark::Counter(static_cast<double>(n * bytes_per_element(kernel)),
                         benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

int main(int argc, char** argv) {
  const std::pair<const char*, Kernel> kernels[] = {{"copy", Kernel::copy},
                                                    {"scale", Kernel::scale},
                                                    {"add", Kernel::add},
                                                    {"triad", Kernel::triad}};
  for (StreamIsa isa : supported_stream_isas()) {
    for (bool streaming : {false, true}) {
      const StreamKernels* table = find_stream_kernels(isa, streaming);
      if (!table) continue;
      for (const auto& [name, kernel] : kernels) {
        const std::string label = std::string(name) + "/" + std::string(stream_isa_name(isa)) +
                                  (streaming ? "/streaming" : "/cached");
        benchmark::RegisterBenchmark(label.c_str(), run, table, kernel)
            ->Arg(1 << 14)  // 3 x 128 KiB: L2
            ->Arg(1 << 24)  // 3 x 128 MiB: memory
            ->UseRealTime();
      }
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
