// What the power sampler costs: one read of a powercap tree (a fixture of 2 packages
// with core and DRAM zones, as a 2-socket server has), one read of a real sysfs
// attribute (what a real RAPL counter costs to read), and the sampler thread's CPU time
// over a 10 s window at 100 ms (the fastest powercap is read) and 1 s. docs/probes/power.md "Sampler overhead".

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "probes/power/power_sampler.h"
#include "probes/power/powercap_source.h"
#include "probes/power/sysfs_value.h"

namespace {

namespace fs = std::filesystem;

// A two-socket RAPL tree: package, core and dram zones per socket.
class RaplTree {
 public:
  RaplTree() {
    std::string pattern = "/tmp/assay-bench-rapl-XXXXXX";
    root_ = ::mkdtemp(pattern.data());
    for (int socket = 0; socket < 2; ++socket) {
      zone("intel-rapl:" + std::to_string(socket), "package-" + std::to_string(socket));
      zone("intel-rapl:" + std::to_string(socket) + ":0", "core");
      zone("intel-rapl:" + std::to_string(socket) + ":1", "dram");
    }
  }
  ~RaplTree() { fs::remove_all(root_); }
  const fs::path& root() const { return root_; }

 private:
  void zone(const std::string& id, const std::string& name) {
    fs::create_directories(root_ / id);
    std::ofstream(root_ / id / "name") << name << "\n";
    std::ofstream(root_ / id / "max_energy_range_uj") << "262143328850\n";
    std::ofstream(root_ / id / "energy_uj") << "123456789\n";
  }
  fs::path root_;
};

std::unique_ptr<assay::PowerSource> open_tree(const RaplTree& tree) {
  assay::PowerSourceOptions options;
  options.root = tree.root().string();
  auto source = assay::open_powercap_source(options);
  if (!source) throw std::runtime_error(source.error().message);
  return std::move(*source);
}

void BM_PowercapRead(benchmark::State& state) {
  RaplTree tree;
  auto source = open_tree(tree);
  for (auto _ : state) benchmark::DoNotOptimize(source->read());
  state.counters["zones"] = 6;
}
BENCHMARK(BM_PowercapRead);

// A real sysfs attribute: reading one is what each RAPL zone costs on a real machine
// (the kernel formats the value on read), where the fixture reads a tmpfs/disk file.
void BM_SysfsAttributeRead(benchmark::State& state) {
  const fs::path attribute = "/sys/class/net/lo/statistics/rx_bytes";
  if (!fs::exists(attribute)) {
    state.SkipWithError("no /sys/class/net/lo/statistics/rx_bytes");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(assay::read_sysfs_uint(attribute));
}
BENCHMARK(BM_SysfsAttributeRead);

// The sampler thread's own CPU time over a 10 s window, as a percentage of one core.
void BM_SamplerWindow(benchmark::State& state) {
  RaplTree tree;
  std::vector<std::unique_ptr<assay::PowerSource>> sources;
  sources.push_back(open_tree(tree));
  assay::PowerSampler sampler(std::move(sources), std::chrono::milliseconds(state.range(0)));
  double cpu_s = 0, wall_s = 0;
  for (auto _ : state) {
    sampler.begin_window();
    std::this_thread::sleep_for(std::chrono::seconds(10));
    const auto window = sampler.end_window();
    cpu_s += window.sampler_cpu_seconds;
    wall_s += window.seconds;
  }
  state.counters["sampler_cpu_ms"] = cpu_s * 1e3;
  state.counters["percent_of_one_core"] = 100.0 * cpu_s / wall_s;
}
BENCHMARK(BM_SamplerWindow)->Arg(100)->Arg(1000)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
