#include "probes/memory/stream_probe.h"

#include "probes/common/cpu_usage.h"

#include <fmt/format.h>
#include <sys/mman.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/units.h"
#include "probes/common/host_topology.h"
#include "probes/common/thread_team.h"
#include "probes/memory/stream_check.h"
#include "probes/memory/stream_kernels.h"

namespace assay {
namespace {

constexpr std::string_view probe_name = "memory.stream";
constexpr std::int64_t default_rounds = 10;  // STREAM's NTIMES
constexpr std::int64_t max_rounds = 100;     // see stream_relative_tolerance
constexpr std::size_t huge_page_bytes = std::size_t{2} << 20;
constexpr std::size_t line_elements = 64 / sizeof(double);
// Leave room for the rest of the process and the page cache the system needs.
constexpr double usable_fraction_of_available = 0.9;

struct KernelInfo {
  std::string_view key;
  std::string_view name;
  std::string_view formula;
  std::size_t bytes_per_element;
};
constexpr std::array<KernelInfo, 4> kernel_infos{{
    {"memory.stream.copy", "Copy", "c = a", stream_copy_bytes_per_element},
    {"memory.stream.scale", "Scale", "b = s*c", stream_scale_bytes_per_element},
    {"memory.stream.add", "Add", "c = a + b", stream_add_bytes_per_element},
    {"memory.stream.triad", "Triad", "a = b + s*c", stream_triad_bytes_per_element},
}};

struct FreeDeleter {
  void operator()(double* p) const noexcept { std::free(p); }
};
using Array = std::unique_ptr<double[], FreeDeleter>;

std::size_t array_allocation_bytes(std::size_t elements) {
  const std::size_t bytes = elements * sizeof(double);
  return (bytes + huge_page_bytes - 1) / huge_page_bytes * huge_page_bytes;
}

// Aligned to a huge page and advised to use huge pages: fewer TLB misses, and vector
// loads never straddle a line. The pages stay untouched until the threads that run the
// kernels initialise them, so each page lands on its user's NUMA node.
Array allocate_array(std::size_t elements) {
  const std::size_t bytes = array_allocation_bytes(elements);
  void* memory = std::aligned_alloc(huge_page_bytes, bytes);
  if (memory) (void)madvise(memory, bytes, MADV_HUGEPAGE);  // advice: ignored where THP is off
  return Array(static_cast<double*>(memory));
}

// Thread t's share of the elements, in whole cache lines so that no two threads write
// one line; the same static partition for initialising, timing and checking.
struct Slice {
  std::size_t begin = 0, end = 0;
  std::size_t size() const { return end - begin; }
};

Slice slice_of(std::size_t elements, std::size_t threads, std::size_t t) {
  const std::size_t lines = (elements + line_elements - 1) / line_elements;
  return {std::min(elements, lines * t / threads * line_elements),
          std::min(elements, lines * (t + 1) / threads * line_elements)};
}

// What run() needs once the parameters are checked against this host.
struct Setup {
  std::vector<int> cpus;
  std::size_t elements = 0;
  int rounds = 0;
  const StreamKernels* kernels = nullptr;
  std::string isa_reason;
  std::string streaming_reason;
};

Expected<Setup> resolve_setup(const ParamList& params, const HostCpu& cpu,
                              const HostMemory& memory) {
  Setup setup;
  const std::vector<int> allowed = allowed_cpus();
  const std::int64_t threads = param_int(params, "threads");
  if (threads < 1 || static_cast<std::size_t>(threads) > allowed.size()) {
    return bad_input(
        fmt::format("{}: threads={} but this process may run on {} CPU(s) ({}); expected 1 to {}",
                    probe_name, threads, allowed.size(), cpu_list_text(allowed), allowed.size()));
  }
  setup.cpus.assign(allowed.begin(), allowed.begin() + threads);

  const std::int64_t rounds = param_int(params, "repetitions");
  if (rounds < 2 || rounds > max_rounds) {
    return bad_input(fmt::format("{}: repetitions={}: expected 2 to {} (the first is discarded)",
                                 probe_name, rounds, max_rounds));
  }
  setup.rounds = static_cast<int>(rounds);

  const std::int64_t elements = param_int(params, "elements");
  if (elements < 1) {
    return bad_input(fmt::format("{}: elements={}: expected at least 1", probe_name, elements));
  }
  setup.elements = static_cast<std::size_t>(elements);
  const std::int64_t available =
      memory.available_bytes ? memory.available_bytes : memory.total_bytes;
  const double needed = 3.0 * static_cast<double>(array_allocation_bytes(setup.elements));
  if (available > 0 && needed > usable_fraction_of_available * static_cast<double>(available)) {
    return bad_input(fmt::format(
        "{}: elements={} needs 3 arrays of {} ({} in all), more than {:.0f}% of the {} this host "
        "has available (MemAvailable); give a smaller elements",
        probe_name, elements,
        format_quantity(static_cast<double>(elements) * sizeof(double), Unit::byte),
        format_quantity(needed, Unit::byte), usable_fraction_of_available * 100,
        format_quantity(static_cast<double>(available), Unit::byte)));
  }

  const std::string& isa_text = param_text(params, "isa");
  StreamIsa isa = StreamIsa::portable;
  if (isa_text == "auto") {
    isa = supported_stream_isas().front();
    setup.isa_reason = "the widest this CPU runs";
  } else if (auto named = stream_isa_from_name(isa_text)) {
    if (!stream_isa_supported(*named)) {
      std::string supported;
      for (StreamIsa s : supported_stream_isas()) {
        if (!supported.empty()) supported += ", ";
        supported += stream_isa_name(s);
      }
      return bad_input(fmt::format(
          "{}: isa={} but this CPU (or this build) cannot run it; expected auto or one of {}",
          probe_name, isa_text, supported));
    }
    isa = *named;
    setup.isa_reason = "isa=" + isa_text + " requested";
  } else {
    return bad_input(
        fmt::format("{}: isa={}: expected auto, avx512, avx2 or portable", probe_name, isa_text));
  }

  const std::string& streaming_text = param_text(params, "streaming_stores");
  const std::int64_t cache_bytes = cpu.last_level_cache_bytes();
  const double array_bytes = static_cast<double>(setup.elements * sizeof(double));
  bool streaming = false;
  if (streaming_text == "auto") {
    // Bypassing the cache only pays when the arrays cannot stay in it.
    streaming = find_stream_kernels(isa, true) != nullptr &&
                (cache_bytes <= 0 || array_bytes > static_cast<double>(cache_bytes));
    setup.streaming_reason =
        find_stream_kernels(isa, true) == nullptr
            ? fmt::format("auto: the {} kernels have none", stream_isa_name(isa))
        : streaming ? "auto: each array is larger than the last-level cache"
                    : "auto: each array fits in the last-level cache";
  } else if (streaming_text == "on" || streaming_text == "off") {
    streaming = streaming_text == "on";
    if (streaming && find_stream_kernels(isa, true) == nullptr) {
      return bad_input(
          fmt::format("{}: streaming_stores=on but the {} kernels have none; "
                      "use isa=avx2 or isa=avx512, or streaming_stores=off",
                      probe_name, stream_isa_name(isa)));
    }
    setup.streaming_reason = "streaming_stores=" + streaming_text + " requested";
  } else {
    return bad_input(fmt::format("{}: streaming_stores={}: expected auto, on or off", probe_name,
                                 streaming_text));
  }
  setup.kernels = find_stream_kernels(isa, streaming);
  return setup;
}

class MemoryStreamProbe final : public Probe {
 public:
  std::string_view name() const override { return probe_name; }

  std::string_view description() const override {
    return "STREAM Copy, Scale, Add, Triad memory bandwidth over arrays >= 4x the "
           "last-level cache, best of N rounds";
  }

  std::vector<ParamSpec> params() const override {
    const auto cpus = static_cast<std::int64_t>(allowed_cpus().size());
    const std::int64_t elements = stream_default_elements(read_host_cpu().last_level_cache_bytes());
    return {
        {"threads", ParamKind::integer, cpus,
         "threads, one pinned per allowed CPU (default: all CPUs this process may use)", 1.0,
         static_cast<double>(cpus)},
        {"repetitions", ParamKind::integer, default_rounds,
         "rounds of the four kernels; the first is discarded and the best of the rest kept", 2.0,
         static_cast<double>(max_rounds)},
        {"elements", ParamKind::integer, elements,
         "doubles per array (default: >= 4x the last-level cache and >= 10,000,000)", 1.0, 1e12},
        {"isa",
         ParamKind::text,
         std::string("auto"),
         "kernels: auto (the widest this CPU runs), avx512, avx2 or portable",
         {},
         {},
         {"auto", "avx512", "avx2", "portable"}},
        {"streaming_stores",
         ParamKind::text,
         std::string("auto"),
         "non-temporal stores: auto (on when each array is larger than the last-level "
         "cache), on or off",
         {},
         {},
         {"auto", "on", "off"}},
    };
  }

  std::vector<MetricSpec> metrics() const override {
    std::vector<MetricSpec> specs;
    for (const KernelInfo& k : kernel_infos) {
      specs.push_back({std::string(k.key), Unit::byte_per_s, Better::higher,
                       fmt::format("STREAM {} ({}), {} bytes per element, best of N rounds", k.name,
                                   k.formula, k.bytes_per_element)});
    }
    return specs;
  }

  Availability availability() const override { return {}; }

  Expected<void> check_params(const ParamList& params) const override {
    auto setup = resolve_setup(params, read_host_cpu(), read_host_memory());
    if (!setup) return setup.error();
    return {};
  }

  ProbeResult run(const ParamList& params, const ProbeContext& context) const override {
    ProbeResult result;
    result.probe = std::string(probe_name);
    result.node = context.node;
    result.subject = "memory";
    result.params = params;

    const HostCpu cpu = read_host_cpu();
    auto resolved = resolve_setup(params, cpu, read_host_memory());
    if (!resolved) return error_result(std::move(result), resolved.error().message);
    const Setup& setup = *resolved;
    const StreamKernels& kernels = *setup.kernels;
    const std::size_t elements = setup.elements;
    set_param(result.params, "isa", std::string(stream_isa_name(kernels.isa)));
    set_param(result.params, "streaming_stores",
              std::string(kernels.streaming_stores ? "on" : "off"));

    Array a = allocate_array(elements), b = allocate_array(elements), c = allocate_array(elements);
    if (!a || !b || !c) {
      return error_result(std::move(result), fmt::format("{}: could not allocate 3 arrays of {} doubles",
                                                   probe_name, elements));
    }

    ThreadTeam team(setup.cpus);
    const std::size_t threads = team.size();
    const auto slice = [&](std::size_t t) { return slice_of(elements, threads, t); };
    team.run([&](std::size_t t) {
      const Slice s = slice(t);
      stream_fill_initial({a.get() + s.begin, s.size()}, {b.get() + s.begin, s.size()},
                          {c.get() + s.begin, s.size()}, s.begin);
    });

    // STREAM's order within a round; each kernel is one timed phase of the team.
    const std::array<std::function<void(std::size_t)>, 4> phases{
        [&](std::size_t t) {
          const Slice s = slice(t);
          kernels.copy(a.get() + s.begin, c.get() + s.begin, s.size());
        },
        [&](std::size_t t) {
          const Slice s = slice(t);
          kernels.scale(c.get() + s.begin, b.get() + s.begin, stream_scalar, s.size());
        },
        [&](std::size_t t) {
          const Slice s = slice(t);
          kernels.add(a.get() + s.begin, b.get() + s.begin, c.get() + s.begin, s.size());
        },
        [&](std::size_t t) {
          const Slice s = slice(t);
          kernels.triad(b.get() + s.begin, c.get() + s.begin, a.get() + s.begin, stream_scalar,
                        s.size());
        },
    };
    std::array<std::vector<double>, 4> seconds;
    // Process CPU time / (timed seconds x threads) per counted round: the best-of figures
    // are sound when at least one round had the CPUs to itself.
    double lowest_share = 1e9, highest_share = 0;
    for (int round = 0; round < setup.rounds; ++round) {
      if (context.cancelled()) {
        return error_result(std::move(result), fmt::format("{}: cancelled after {} of {} rounds",
                                                     probe_name, round, setup.rounds));
      }
      context.report(fmt::format("round {}/{}", round + 1, setup.rounds));
      const double cpu_start = process_cpu_seconds();
      double timed = 0;
      for (std::size_t k = 0; k < phases.size(); ++k) {
        seconds[k].push_back(team.run_timed(phases[k]));
        timed += seconds[k].back();
      }
      if (round > 0) {
        const double share =
            (process_cpu_seconds() - cpu_start) / (timed * static_cast<double>(threads));
        lowest_share = std::min(lowest_share, share);
        highest_share = std::max(highest_share, share);
      }
    }

    const StreamExpectation expected(setup.rounds);
    std::vector<StreamCheck> checks(threads);
    team.run([&](std::size_t t) {
      const Slice s = slice(t);
      checks[t] = check_stream_arrays(expected, {a.get() + s.begin, s.size()},
                                      {b.get() + s.begin, s.size()}, {c.get() + s.begin, s.size()},
                                      s.begin);
    });
    StreamCheck check;
    for (const StreamCheck& part : checks) check.merge(part);

    result.validation.checked = true;
    result.validation.passed = check.passed() && check.elements_checked == elements;
    result.validation.detail = fmt::format(
        "a, b and c compared element by element (3 x {}) with STREAM's scalar recurrence "
        "after {} rounds: worst relative error {:.3g}, tolerance {:.0e}",
        check.elements_checked, setup.rounds, check.worst_relative_error,
        stream_relative_tolerance);
    if (!result.validation.passed) {
      const std::string first =
          check.first_mismatch ? describe_mismatch(*check.first_mismatch) : "no element named";
      result.validation.detail +=
          fmt::format("; {} element(s) differ, first: {}", check.mismatches, first);
      return error_result(std::move(result),
                    fmt::format("{}: the arrays are wrong after the kernels ({} element(s) "
                                "differ from STREAM's recurrence; first: {}), so no figure is "
                                "reported",
                                probe_name, check.mismatches, first));
    }

    for (std::size_t k = 0; k < kernel_infos.size(); ++k) {
      const double bytes = static_cast<double>(elements * kernel_infos[k].bytes_per_element);
      std::vector<double> samples;
      // STREAM discards the first round: it pays for cold TLBs and caches.
      for (std::size_t r = 1; r < seconds[k].size(); ++r) samples.push_back(bytes / seconds[k][r]);
      result.metrics.push_back(
          make_metric(std::string(kernel_infos[k].key), Unit::byte_per_s, Better::higher,
                      std::move(samples), ValueRule::best, {},
                      fmt::format("best of {} rounds; {} ({}) counted as {} bytes per element",
                                  setup.rounds - 1, kernel_infos[k].name, kernel_infos[k].formula,
                                  kernel_infos[k].bytes_per_element)));
    }
    add_notes(result, setup, cpu, team, lowest_share, highest_share);
    return result;
  }

 private:
  static void add_notes(ProbeResult& result, const Setup& setup, const HostCpu& cpu,
                        const ThreadTeam& team, double lowest_share, double highest_share) {
    const StreamKernels& kernels = *setup.kernels;
    const double array_bytes = static_cast<double>(setup.elements * sizeof(double));
    result.notes.push_back(fmt::format(
        "kernels: {} ({}); streaming stores: {} ({})", stream_isa_name(kernels.isa),
        setup.isa_reason, kernels.streaming_stores ? "on" : "off", setup.streaming_reason));
    result.notes.push_back(fmt::format(
        "arrays: 3 x {} doubles = 3 x {} ({}), aligned to 2 MiB, transparent huge pages "
        "requested",
        setup.elements, format_quantity(array_bytes, Unit::byte),
        format_quantity(3 * array_bytes, Unit::byte)));
    const std::int64_t cache_bytes = cpu.last_level_cache_bytes();
    if (cache_bytes > 0) {
      const double ratio = array_bytes / static_cast<double>(cache_bytes);
      result.notes.push_back(
          fmt::format("last-level cache: {}; each array is {:.2f}x it",
                      format_quantity(static_cast<double>(cache_bytes), Unit::byte), ratio));
      if (ratio < 4) {
        result.notes.push_back(
            "each array is smaller than 4x the last-level cache: the figures include cache "
            "bandwidth and do not follow STREAM's rules");
      }
    } else {
      result.notes.push_back("last-level cache size unknown: STREAM's 4x rule not checked");
    }
    result.notes.push_back(
        fmt::format("threads: {} on CPUs {}{}", team.size(), cpu_list_text(team.cpus()),
                    team.all_pinned() ? ", each pinned to its CPU" : "; NOT all could be pinned"));
    result.notes.push_back(fmt::format(
        "CPU share: in the timed rounds the process used {:.0f}% to {:.0f}% of {} CPU(s){}",
        100 * lowest_share, 100 * highest_share, team.size(),
        highest_share < disturbed_cpu_share
            ? "; other work took CPU time from every round, so the figures are low: rerun on "
              "an idle node"
            : ""));
    result.notes.push_back(fmt::format(
        "value: best of {} rounds, the first of {} discarded; bytes per element as STREAM "
        "counts them (Copy 16, Scale 16, Add 24, Triad 24), without write-allocate "
        "traffic{}",
        setup.rounds - 1, setup.rounds,
        kernels.streaming_stores ? " (streaming stores cause none)"
                                 : " (a cached store reads each destination line first, so "
                                   "the memory moves 1.5x (Copy, Scale) and 1.33x (Add, "
                                   "Triad) the bytes counted)"));
  }
};

}  // namespace

std::int64_t stream_default_elements(std::int64_t last_level_cache_bytes) {
  constexpr std::int64_t step = 1'000'000;
  constexpr std::int64_t minimum = 10'000'000;
  const std::int64_t for_cache =
      (4 * std::max<std::int64_t>(last_level_cache_bytes, 0) + 7) / 8;  // 4x, in doubles
  const std::int64_t needed = std::max(minimum, for_cache);
  return (needed + step - 1) / step * step;
}

std::unique_ptr<Probe> make_memory_stream_probe() { return std::make_unique<MemoryStreamProbe>(); }

}  // namespace assay
