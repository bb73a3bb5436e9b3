#include "probes/cpu/cpu_gemm_probe.h"

#include "probes/common/cpu_usage.h"

#include <cblas.h>
#include <fmt/format.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdint>
#include <exception>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "core/units.h"
#include "probes/common/host_topology.h"
#include "probes/common/thread_team.h"
#include "probes/cpu/gemm_check.h"

namespace assay {
namespace {

constexpr std::string_view probe_name = "cpu.gemm";
constexpr std::int64_t default_n = 4096;
constexpr std::int64_t min_n = 64;
constexpr std::int64_t max_n = 131072;  // 412 GB of fp64 matrices: a sanity bound
constexpr std::int64_t default_repetitions = 3;
constexpr std::int64_t default_check_entries = 256;
constexpr std::uint64_t seed_a = 0x5eed'a000'0000'0001ULL;
constexpr std::uint64_t seed_b = 0x5eed'b000'0000'0002ULL;
constexpr std::uint64_t seed_entries = 0x5eed'c000'0000'0003ULL;
// Leave room for OpenBLAS' packing buffers, the rest of the process and the page cache.
constexpr double usable_fraction_of_available = 0.9;

// What this OpenBLAS is and how it threads.
struct OpenblasInfo {
  std::string
      config;  // openblas_get_config(), e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH ... MAX_THREADS=64"
  std::string corename;  // the kernel family chosen for this CPU, e.g. "Haswell"
  int parallel = 0;      // 0 sequential, 1 pthreads, 2 OpenMP
  int max_threads = 1;   // the most threads one call can use
};

OpenblasInfo openblas_info() {
  OpenblasInfo info;
  info.config = openblas_get_config();
  info.corename = openblas_get_corename();
  info.parallel = openblas_get_parallel();
  info.max_threads = INT_MAX;
  if (info.parallel == 0) {
    info.max_threads = 1;
  } else if (const auto at = info.config.find("MAX_THREADS="); at != std::string::npos) {
    // A build's thread limit is only in its configuration string; asking by setting a
    // larger count would change the library's state for everyone in the process.
    try {
      info.max_threads = std::max(1, std::stoi(info.config.substr(at + 12)));
    } catch (const std::exception&) {
    }
  }
  return info;
}

std::int64_t default_threads() {
  return std::min<std::int64_t>(static_cast<std::int64_t>(allowed_cpus().size()),
                                openblas_info().max_threads);
}

// A value in [-1, 1) that depends only on (seed, index), so matrices are the same on
// every run and any thread can fill any part of them.
double uniform_pm1(std::uint64_t seed, std::uint64_t index) {
  std::uint64_t z = seed + (index + 1) * 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-52 - 1.0;
}

void gemm(std::size_t n, const double* a, const double* b, double* c) {
  const auto size = static_cast<blasint>(n);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, size, size, size, 1.0, a, size, b, size,
              0.0, c, size);
}

void gemm(std::size_t n, const float* a, const float* b, float* c) {
  const auto size = static_cast<blasint>(n);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, size, size, size, 1.0F, a, size, b, size,
              0.0F, c, size);
}

cpu_set_t cpu_set_of(std::span<const int> cpus) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int cpu : cpus) {
    if (cpu >= 0 && cpu < CPU_SETSIZE) CPU_SET(cpu, &set);
  }
  return set;
}

// OpenBLAS' pthread build keeps its own pool and, as Debian builds it (NO_AFFINITY),
// never pins it. For the time of the probe this pins the pool's workers and the
// calling thread (OpenBLAS' last thread index) one per CPU, as the other probes pin
// their teams, and afterwards gives every worker back the affinity it had and restores
// the thread count. Construct it on the thread that makes the BLAS calls.
class OpenblasPinning {
 public:
  OpenblasPinning(const OpenblasInfo& info, std::span<const int> cpus)
      : previous_threads_(openblas_get_num_threads()), threads_(static_cast<int>(cpus.size())) {
    openblas_set_num_threads(threads_);
    if (info.parallel != 1) return;  // OpenMP builds follow OMP_PROC_BIND / OMP_PLACES
    pinned_ = pin_current_thread(cpus.back());
    for (int index = 0; index + 1 < threads_; ++index) {
      cpu_set_t before;
      CPU_ZERO(&before);
      if (openblas_getaffinity(index, sizeof(before), &before) != 0) {
        pinned_ = false;
        continue;
      }
      saved_.push_back({index, before});
      cpu_set_t one = cpu_set_of(cpus.subspan(static_cast<std::size_t>(index), 1));
      pinned_ = openblas_setaffinity(index, sizeof(one), &one) == 0 && pinned_;
    }
    active_ = true;
  }
  ~OpenblasPinning() {
    for (auto& [index, before] : saved_) {
      (void)openblas_setaffinity(index, sizeof(before), &before);
    }
    openblas_set_num_threads(previous_threads_);
  }
  OpenblasPinning(const OpenblasPinning&) = delete;
  OpenblasPinning& operator=(const OpenblasPinning&) = delete;

  bool pinned() const { return active_ && pinned_; }

 private:
  struct Saved {
    int index;
    cpu_set_t affinity;
  };
  int previous_threads_;
  int threads_;
  std::vector<Saved> saved_;
  bool active_ = false;
  bool pinned_ = false;
};

// One precision's run: seconds of the timed calls and the check of every call.
struct PrecisionRun {
  std::vector<double> seconds;
  std::vector<double> cpu_shares;  // process CPU time / (wall time x threads), per call
  GemmCheck check;
  bool pinned = false;
  bool cancelled = false;
};

struct Setup {
  std::vector<int> cpus;
  std::size_t n = 0;
  int repetitions = 0;
  std::size_t check_entries = 0;
};

template <class T>
PrecisionRun run_precision(const Setup& setup, const OpenblasInfo& info, ThreadTeam& team,
                           const ProbeContext& context, std::string_view label) {
  const std::size_t n = setup.n;
  const std::size_t count = n * n;
  // Not value-initialised: the pinned team touches the pages first, so they land on
  // the NUMA nodes of the threads that use them.
  auto a = std::make_unique_for_overwrite<T[]>(count);
  auto b = std::make_unique_for_overwrite<T[]>(count);
  auto c = std::make_unique_for_overwrite<T[]>(count);
  team.run([&](std::size_t t) {
    const std::size_t begin = n * t / team.size() * n, end = n * (t + 1) / team.size() * n;
    for (std::size_t i = begin; i < end; ++i) {
      a[i] = static_cast<T>(uniform_pm1(seed_a, i));
      b[i] = static_cast<T>(uniform_pm1(seed_b, i));
      c[i] = T{0};
    }
  });
  const std::span<const T> a_view(a.get(), count), b_view(b.get(), count), c_view(c.get(), count);
  const std::vector<GemmEntry> entries = sample_gemm_entries(n, setup.check_entries, seed_entries);
  const std::vector<GemmReference> references = gemm_references(a_view, b_view, n, entries);

  PrecisionRun run;
  std::exception_ptr failure;
  // The calls run on a thread of their own, so pinning it (OpenBLAS makes the calling
  // thread one of its workers) leaves the runner's thread as it was.
  std::thread driver([&] {
    try {
      OpenblasPinning pinning(info, setup.cpus);
      run.pinned = pinning.pinned();
      context.report(fmt::format("{} warm-up", label));
      gemm(n, a.get(), b.get(), c.get());  // untimed: pool start-up, page faults, buffers
      run.check.merge(check_gemm(c_view, n, references));
      for (int r = 0; r < setup.repetitions; ++r) {
        if (context.cancelled()) {
          run.cancelled = true;
          return;
        }
        context.report(fmt::format("{} {}/{}", label, r + 1, setup.repetitions));
        const double cpu_start = process_cpu_seconds();
        const auto start = std::chrono::steady_clock::now();
        gemm(n, a.get(), b.get(), c.get());
        const auto end = std::chrono::steady_clock::now();
        const double seconds = std::chrono::duration<double>(end - start).count();
        run.seconds.push_back(seconds);
        run.cpu_shares.push_back((process_cpu_seconds() - cpu_start) /
                                 (seconds * static_cast<double>(setup.cpus.size())));
        // Every call is checked, not only the last: a fault may come and go.
        run.check.merge(check_gemm(c_view, n, references));
      }
    } catch (...) {
      failure = std::current_exception();
    }
  });
  driver.join();
  if (failure) std::rethrow_exception(failure);
  return run;
}

Expected<Setup> resolve_setup(const ParamList& params, const OpenblasInfo& info,
                              const HostMemory& memory) {
  Setup setup;
  const std::int64_t n = param_int(params, "n");
  if (n < min_n || n > max_n) {
    return bad_input(
        fmt::format("{}: n={}: expected {} to {} (smaller matrices measure call overhead, "
                    "not arithmetic; the largest already needs 412 GB)",
                    probe_name, n, min_n, max_n));
  }
  setup.n = static_cast<std::size_t>(n);
  const double fp64_bytes = 3.0 * static_cast<double>(n) * static_cast<double>(n) * sizeof(double);
  const std::int64_t available =
      memory.available_bytes ? memory.available_bytes : memory.total_bytes;
  if (available > 0 && fp64_bytes > usable_fraction_of_available * static_cast<double>(available)) {
    return bad_input(fmt::format(
        "{}: n={} needs 3 matrices of {} x {} doubles ({}), more than {:.0f}% of the {} this "
        "host has available (MemAvailable); give a smaller n",
        probe_name, n, n, n, format_quantity(fp64_bytes, Unit::byte),
        usable_fraction_of_available * 100,
        format_quantity(static_cast<double>(available), Unit::byte)));
  }

  const std::vector<int> allowed = allowed_cpus();
  const std::int64_t threads = param_int(params, "threads");
  const auto limit =
      std::min<std::int64_t>(static_cast<std::int64_t>(allowed.size()), info.max_threads);
  if (threads < 1 || threads > limit) {
    return bad_input(fmt::format(
        "{}: threads={} but this process may run on {} CPU(s) ({}) and this OpenBLAS uses at "
        "most {} thread(s); expected 1 to {}",
        probe_name, threads, allowed.size(), cpu_list_text(allowed), info.max_threads, limit));
  }
  setup.cpus.assign(allowed.begin(), allowed.begin() + threads);

  const std::int64_t repetitions = param_int(params, "repetitions");
  if (repetitions < 1) {
    return bad_input(
        fmt::format("{}: repetitions={}: expected at least 1", probe_name, repetitions));
  }
  setup.repetitions = static_cast<int>(std::min<std::int64_t>(repetitions, INT_MAX));
  const std::int64_t entries = param_int(params, "check_entries");
  if (entries < 1) {
    return bad_input(fmt::format("{}: check_entries={}: expected at least 1", probe_name, entries));
  }
  setup.check_entries = static_cast<std::size_t>(entries);
  return setup;
}

bool is_avx512_core(std::string_view corename) {
  return corename == "SkylakeX" || corename == "Cooperlake" || corename == "SapphireRapids";
}

class CpuGemmProbe final : public Probe {
 public:
  std::string_view name() const override { return probe_name; }

  std::string_view description() const override {
    return "DGEMM and SGEMM FLOP/s through OpenBLAS (2n^3 FLOPs per call), results checked "
           "on sampled entries";
  }

  std::vector<ParamSpec> params() const override {
    const std::int64_t threads = default_threads();
    return {
        {"n", ParamKind::integer, default_n, "matrix order: C = A*B with n x n matrices",
         static_cast<double>(min_n), static_cast<double>(max_n)},
        {"threads", ParamKind::integer, threads,
         "OpenBLAS threads, one pinned per allowed CPU (default: all CPUs this process may "
         "use, up to the OpenBLAS build's limit)",
         1.0, static_cast<double>(threads)},
        {"repetitions", ParamKind::integer, default_repetitions,
         "timed calls per precision, after one untimed warm-up call", 1.0, 1e6},
        {"check_entries", ParamKind::integer, default_check_entries,
         "entries of C checked against the extended-precision reference after every call", 1.0,
         1e6},
    };
  }

  std::vector<MetricSpec> metrics() const override {
    return {
        {"cpu.gemm.fp64", Unit::flop_per_s, Better::higher,
         "DGEMM through OpenBLAS, 2n^3 FLOPs per call, median of the calls"},
        {"cpu.gemm.fp32", Unit::flop_per_s, Better::higher,
         "SGEMM through OpenBLAS, 2n^3 FLOPs per call, median of the calls"},
    };
  }

  Availability availability() const override { return {}; }

  Expected<void> check_params(const ParamList& params) const override {
    auto setup = resolve_setup(params, openblas_info(), read_host_memory());
    if (!setup) return setup.error();
    return {};
  }

  ProbeResult run(const ParamList& params, const ProbeContext& context) const override {
    ProbeResult result;
    result.probe = std::string(probe_name);
    result.node = context.node;
    result.subject = "cpu";
    result.params = params;

    const OpenblasInfo info = openblas_info();
    auto resolved = resolve_setup(params, info, read_host_memory());
    if (!resolved) return error_result(std::move(result), resolved.error().message);
    const Setup& setup = *resolved;
    ThreadTeam team(setup.cpus);

    const double flops = 2.0 * std::pow(static_cast<double>(setup.n), 3);
    struct Outcome {
      std::string_view key, label, routine;
      PrecisionRun run;
    };
    std::vector<Outcome> outcomes;
    outcomes.push_back({"cpu.gemm.fp64", "fp64", "DGEMM",
                        run_precision<double>(setup, info, team, context, "fp64")});
    if (!outcomes.back().run.cancelled) {
      outcomes.push_back({"cpu.gemm.fp32", "fp32", "SGEMM",
                          run_precision<float>(setup, info, team, context, "fp32")});
    }
    for (const Outcome& o : outcomes) {
      if (o.run.cancelled) {
        return error_result(std::move(result),
                      fmt::format("{}: cancelled during {} after {} of {} calls", probe_name,
                                  o.label, o.run.seconds.size(), setup.repetitions));
      }
    }

    result.validation.checked = true;
    result.validation.passed = true;
    std::string first_failure;
    for (const Outcome& o : outcomes) {
      const GemmCheck& check = o.run.check;
      result.validation.detail += fmt::format(
          "{}{}: {} entries of C checked after each of {} calls against a long-double "
          "reference, worst |c - ref| {:.3g} = {:.3g}% of the tolerance {:g} x gamma(n) x "
          "sum_k |a_ik b_kj|",
          result.validation.detail.empty() ? "" : "; ", o.label,
          check.checked / (setup.repetitions + 1), setup.repetitions + 1, check.worst_error,
          100 * check.worst_fraction, gemm_tolerance_safety);
      if (!check.passed()) {
        result.validation.passed = false;
        result.validation.detail += fmt::format(" -- {} FAILED: {} ({} entries wrong)", o.label,
                                                check.first_failure, check.failures);
        if (first_failure.empty())
          first_failure = fmt::format("{} {}", o.routine, check.first_failure);
      }
    }
    if (!result.validation.passed) {
      return error_result(std::move(result),
                    fmt::format("{}: the OpenBLAS result is wrong: {}; no figure is reported",
                                probe_name, first_failure));
    }

    for (Outcome& o : outcomes) {
      std::vector<double> samples;
      for (double s : o.run.seconds) samples.push_back(flops / s);
      result.metrics.push_back(make_metric(
          std::string(o.key), Unit::flop_per_s, Better::higher, std::move(samples),
          ValueRule::median, {},
          fmt::format("cblas_{}gemm, n={}, 2n^3 = {:.4g} FLOPs per call, median of {} calls",
                      o.label == "fp64" ? 'd' : 's', setup.n, flops, setup.repetitions)));
    }

    const bool pinned = std::all_of(outcomes.begin(), outcomes.end(),
                                    [](const Outcome& o) { return o.run.pinned; });
    result.notes.push_back(fmt::format("OpenBLAS: {} (kernels: {}; threading: {})", info.config,
                                       info.corename,
                                       info.parallel == 0   ? "sequential"
                                       : info.parallel == 1 ? "pthreads"
                                                            : "OpenMP"));
    result.notes.push_back(
        fmt::format("threads: {} on CPUs {}{}", setup.cpus.size(), cpu_list_text(setup.cpus),
                    pinned ? ", OpenBLAS' workers and calling thread each pinned to its CPU"
                    : info.parallel == 2 ? "; OpenMP build: pin with OMP_PROC_BIND and OMP_PLACES"
                                         : "; NOT pinned (the kernel refused)"));
    double lowest_share = 1e9;
    for (const Outcome& o : outcomes) {
      for (double share : o.run.cpu_shares) lowest_share = std::min(lowest_share, share);
    }
    result.notes.push_back(fmt::format(
        "CPU share: during the timed calls the process used at least {:.0f}% of {} CPU(s){}",
        100 * lowest_share, setup.cpus.size(),
        lowest_share < disturbed_cpu_share
            ? "; other work took CPU time from the probe, so its figures are low: rerun on an "
              "idle node"
            : ""));
    const double fp64_bytes = 3.0 * static_cast<double>(setup.n * setup.n) * sizeof(double);
    result.notes.push_back(
        fmt::format("matrices: n={}, inputs pseudo-random in [-1, 1), alpha=1, beta=0, row-major; "
                    "A, B and C take {} in fp64, half that in fp32",
                    setup.n, format_quantity(fp64_bytes, Unit::byte)));
    const HostCpu cpu = read_host_cpu();
    if (cpu.has_flag("avx512f") && !is_avx512_core(info.corename)) {
      result.notes.push_back(fmt::format(
          "this CPU has AVX-512 but OpenBLAS chose its {} kernels (its release may not know "
          "this CPU model); OPENBLAS_CORETYPE=SkylakeX set before assay starts selects its "
          "AVX-512 kernels, for assay and any program that calls OpenBLAS alike",
          info.corename));
    }
    return result;
  }
};

}  // namespace

std::unique_ptr<Probe> make_cpu_gemm_probe() { return std::make_unique<CpuGemmProbe>(); }

}  // namespace assay
