#include "probes/gpu/nccl_probe.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "core/stats.h"
#include "core/units.h"
#include "probes/gpu/gpu_probe_common.h"
#include "probes/gpu/nccl_plan.h"
#include "probes/interconnect/bus_bandwidth.h"

namespace assay::gpu {
namespace {

constexpr std::string_view probe_name = "interconnect.nccl";
constexpr std::int64_t mib = std::int64_t{1} << 20;
constexpr std::int64_t gib = std::int64_t{1} << 30;
// A GPU holds a send and a receive buffer of up to max_bytes each; NCCL needs room of
// its own (channels, proxies, NVLS buffers), so the two may take at most this share.
constexpr double usable_fraction_of_device = 0.5;
// Waiting to agree after a step covers the others' timeout in the step itself (a
// process that failed early waits while the rest run into their timeout).
constexpr double agreement_margin_seconds = 30;

struct Settings {
  std::vector<int> devices;
  std::vector<NcclCollective> collectives;
  std::int64_t min_bytes = mib;
  std::int64_t max_bytes = gib;
  int iterations = 20;
  int warmup = 5;
  int repetitions = 5;
  double timeout_seconds = 120;
};

std::string bytes_text(std::int64_t bytes) { return format_quantity(static_cast<double>(bytes), Unit::byte); }

CommStop stop_within(double seconds, const ProbeContext& context) {
  return CommStop::within(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds)),
      context.cancel);
}

std::string factor_text(NcclCollective collective) {
  return collective == NcclCollective::all_reduce ? "2(n-1)/n" : "(n-1)/n";
}

std::string size_meaning(NcclCollective collective) {
  switch (collective) {
    case NcclCollective::all_reduce: return "the vector each GPU sends and receives";
    case NcclCollective::all_gather: return "the gathered vector each GPU receives, n blocks";
    case NcclCollective::reduce_scatter: return "the vector each GPU sends, n blocks";
    case NcclCollective::all_to_all: return "the vector each GPU sends and receives, n blocks";
  }
  return "";
}

class NcclProbe final : public Probe {
 public:
  explicit NcclProbe(std::function<const GpuSetup&()> setup) : setup_(std::move(setup)) {}

  std::string_view name() const override { return probe_name; }
  std::string_view description() const override {
    return "NCCL all-reduce, all-gather, reduce-scatter and all-to-all over every GPU of every node, 1 MiB to "
           "max_bytes: algbw and busbw as nccl-tests counts them, sampled results checked exactly";
  }

  std::vector<ParamSpec> params() const override {
    const Settings d;
    return {
        devices_param(),
        {"collectives", ParamKind::text, std::string("all"),
         "collectives to run: all, or a list of allreduce, allgather, reduce_scatter, alltoall",
         {},
         {}},
        {"min_bytes", ParamKind::size_bytes, d.min_bytes, "smallest size of the sweep (nccl-tests' -b)", 4.0,
         static_cast<double>(16 * gib)},
        {"max_bytes", ParamKind::size_bytes, d.max_bytes,
         "largest size of the sweep (nccl-tests' -e), where the headline busbw is measured; sizes double from "
         "min_bytes",
         4.0, static_cast<double>(16 * gib)},
        {"iterations", ParamKind::integer, std::int64_t{d.iterations},
         "timed collectives per sample, at every size (nccl-tests' -n)", 1.0, 1e6},
        {"warmup", ParamKind::integer, std::int64_t{d.warmup},
         "untimed collectives before them at every size (nccl-tests' -w)", 0.0, 1e6},
        {"repetitions", ParamKind::integer, std::int64_t{d.repetitions},
         "timed samples per size; each gives one busbw sample", 1.0, 1000.0},
        {"timeout", ParamKind::seconds, d.timeout_seconds,
         "how long joining the job, or one wait for the GPUs (a warm-up, a sample), may take before the other "
         "GPUs count as not answering and the NCCL communicators are aborted",
         1.0, 86400.0},
    };
  }

  std::vector<MetricSpec> metrics() const override {
    std::vector<MetricSpec> specs;
    for (NcclCollective c : kAllNcclCollectives) {
      specs.push_back({nccl_busbw_key(c), Unit::byte_per_s, Better::higher,
                       fmt::format("NCCL {} bus bandwidth over all GPUs at the largest size (nccl-tests' busbw: "
                                   "algbw x {}); subject fleet, or node when one process runs alone",
                                   nccl_collective_name(c), factor_text(c))});
    }
    return specs;
  }

  Availability availability() const override {
    const GpuSetup& setup = setup_();
    if (!setup.available()) return {false, setup.unavailable};
    return {};
  }

  // Runs alone on a node with two or more GPUs too; several nodes run it together.
  bool needs_peers() const override { return false; }
  bool uses_peers() const override { return true; }

  // A node without a usable GPU still answers the GPU-count exchange that run() starts
  // with, with 0, so the others stop at once naming it instead of waiting for `timeout`.
  ProbeResult stand_aside(const ParamList& params, const ProbeContext& context,
                          const std::string& reason) const override {
    ProbeResult result;
    result.probe = std::string(probe_name);
    result.node = context.node;
    result.subject = "fleet";
    result.params = params;
    result.status = ProbeStatus::skipped;
    result.reason = reason;
    Communicator* comm = context.peers;
    const std::vector<float> mine{0.0f};
    std::vector<float> all(static_cast<std::size_t>(comm->size()), 0.0f);
    const CommStop stop = stop_within(param_real(params, "timeout"), context);
    if (auto told = comm->collective(Collective::allgather, mine, all, 0, 0, 1, stop); !told) {
      result.reason += fmt::format("; telling the other nodes failed: {}", told.error().message);
    }
    return result;
  }

  Expected<void> check_params(const ParamList& params) const override {
    auto settings = read_settings(params, setup_());
    if (!settings) return settings.error();
    return {};
  }

  ProbeResult run(const ParamList& params, const ProbeContext& context) const override {
    ProbeResult result;
    result.probe = std::string(probe_name);
    result.node = context.node;
    result.params = params;
    Communicator* comm = context.peers != nullptr && context.peers->size() > 1 ? context.peers : nullptr;
    result.subject = comm != nullptr ? "fleet" : "node";
    const GpuSetup& setup = setup_();
    if (!setup.available()) return skipped_result(std::move(result), setup.unavailable);
    auto settings = read_settings(params, setup);
    if (!settings) return error_result(std::move(result), settings.error().message);
    return measure(std::move(result), *settings, setup, comm, context);
  }

 private:
  Expected<Settings> read_settings(const ParamList& params, const GpuSetup& setup) const {
    Settings s;
    if (setup.available()) {
      auto devices = parse_devices(probe_name, param_text(params, "devices"), static_cast<int>(setup.devices.size()));
      if (!devices) return devices.error();
      s.devices = std::move(*devices);
    }
    auto collectives = parse_nccl_collectives(probe_name, param_text(params, "collectives"));
    if (!collectives) return collectives.error();
    s.collectives = std::move(*collectives);
    s.min_bytes = param_int(params, "min_bytes");
    s.max_bytes = param_int(params, "max_bytes");
    s.iterations = static_cast<int>(param_int(params, "iterations"));
    s.warmup = static_cast<int>(param_int(params, "warmup"));
    s.repetitions = static_cast<int>(param_int(params, "repetitions"));
    s.timeout_seconds = param_real(params, "timeout");
    if (s.min_bytes < collective_element_bytes || s.max_bytes < s.min_bytes) {
      return bad_input(fmt::format("{}: min_bytes={} and max_bytes={}: expected 4 B <= min_bytes <= max_bytes",
                                   probe_name, bytes_text(s.min_bytes), bytes_text(s.max_bytes)));
    }
    if (s.iterations < 1 || s.warmup < 0 || s.repetitions < 1 || !(s.timeout_seconds > 0)) {
      return bad_input(fmt::format("{}: iterations, repetitions and timeout must be positive, warmup not negative",
                                   probe_name));
    }
    for (int d : s.devices) {
      const Device& device = setup.devices[static_cast<std::size_t>(d)];
      const double needed = 2.0 * static_cast<double>(s.max_bytes);
      if (device.memory_bytes > 0 && needed > usable_fraction_of_device * static_cast<double>(device.memory_bytes)) {
        return bad_input(fmt::format(
            "{}: max_bytes={} needs {} of buffers on gpu{}, more than {:.0f}% of its {}; lower max_bytes", probe_name,
            bytes_text(s.max_bytes), format_quantity(needed, Unit::byte), d, 100 * usable_fraction_of_device,
            format_quantity(static_cast<double>(device.memory_bytes), Unit::byte)));
      }
    }
    return s;
  }

  ProbeResult measure(ProbeResult result, const Settings& s, const GpuSetup& setup, Communicator* comm,
                      const ProbeContext& context) const {
    const int processes = comm != nullptr ? comm->size() : 1;
    const int process = comm != nullptr ? comm->rank() : 0;
    // An error result carries no figures: collectives measured before the failure are
    // kept as notes only.
    const auto fail = [&](std::string message) {
      for (const Metric& m : result.metrics) {
        result.notes.push_back(fmt::format("measured before the failure, not reported as a figure: {} = {}", m.key,
                                           format_quantity(m.value, m.unit)));
      }
      result.metrics.clear();
      result.tables.clear();
      return error_result(std::move(result), fmt::format("{}: {}", probe_name, message));
    };

    // 1. GPUs per process, exchanged (an allgather of one float each: small integers).
    std::vector<int> counts{static_cast<int>(s.devices.size())};
    if (comm != nullptr) {
      context.report("exchanging GPU counts");
      const std::vector<float> mine{static_cast<float>(s.devices.size())};
      std::vector<float> all(static_cast<std::size_t>(processes), 0.0f);
      const CommStop stop = stop_within(s.timeout_seconds, context);
      if (auto done = comm->collective(Collective::allgather, mine, all, 0, 0, 1, stop); !done) {
        return fail(fmt::format("exchanging the GPU counts of the {} processes failed on {}: {} (a node without a "
                                "usable GPU skips this probe and does not take part: see its result)",
                                processes, context.node, done.error().message));
      }
      counts.clear();
      for (float f : all) counts.push_back(static_cast<int>(f));
      std::vector<std::string> without;
      for (std::size_t p = 0; p < counts.size(); ++p) {
        if (counts[p] >= 1) continue;
        without.push_back(p < context.peer_nodes.size() ? context.peer_nodes[p] : fmt::format("process {}", p));
      }
      if (!without.empty()) {
        return fail(fmt::format("no usable GPU on {} (its result says why); every node of the step must take part",
                                fmt::join(without, ", ")));
      }
    }
    auto world = nccl_world(counts, process);
    if (!world) return fail(world.error().message);
    set_param(result.params, "gpus", std::int64_t{world->ranks});
    set_param(result.params, "processes", std::int64_t{processes});
    if (world->ranks < 2) {
      return skipped_result(std::move(result),
                            fmt::format("needs two or more GPUs in all: this node runs alone with {} GPU selected "
                                        "(select more devices, or launch assay on several nodes with mpirun or srun)",
                                        world->ranks));
    }

    // 2. The unique id, made by the process of rank 0 and broadcast (as floats 0..255).
    NcclId made;
    if (process == 0) made = setup.module->nccl_unique_id();
    std::vector<float> id_floats = encode_nccl_id(made);
    if (comm != nullptr) {
      const CommStop stop = stop_within(s.timeout_seconds, context);
      if (auto sent = comm->collective(Collective::broadcast, {}, id_floats, 0, 0, 1, stop); !sent) {
        return fail(fmt::format("broadcasting the NCCL unique id from rank 0 failed on {}: {}", context.node,
                                sent.error().message));
      }
    }
    auto id = decode_nccl_id(id_floats);
    if (!id) {
      return fail(process == 0 && !made.error.empty() ? fmt::format("making the NCCL unique id: {}", made.error)
                                                       : id.error().message);
    }

    // 3. Communicators, then every process agrees that all of them have theirs.
    context.report(fmt::format("joining {} NCCL ranks", world->ranks));
    NcclOpenRequest open;
    open.unique_id = std::move(*id);
    open.world_ranks = world->ranks;
    open.first_rank = world->first_rank;
    open.devices = s.devices;
    open.timeout_seconds = s.timeout_seconds;
    open.cancel = context.cancel;
    NcclOpenOutcome opened = setup.module->nccl_open(open);
    if (opened.error.empty() && opened.session == nullptr) opened.error = "the module returned no session";
    if (auto agreed = agree(comm, opened.error.empty() ? 0 : 1, s, context, "opening the communicators"); !agreed) {
      return fail(agreed.error().message);
    } else if (*agreed > 0) {
      return fail(opened.error.empty()
                      ? "another process could not open its NCCL communicators (its result says why)"
                      : fmt::format("opening the NCCL communicators on {}: {}", context.node, opened.error));
    }

    const std::vector<std::string> nodes =
        context.peer_nodes.empty() ? std::vector<std::string>{context.node} : context.peer_nodes;
    result.notes.push_back(setup.versions);
    result.notes.push_back(fmt::format("{} NCCL ranks, one per GPU: {}", world->ranks, nccl_layout_text(*world, nodes)));
    for (int d : s.devices) {
      const Device& device = setup.devices[static_cast<std::size_t>(d)];
      result.notes.push_back(fmt::format("{}: gpu{}: {} (PCI {}, {})", context.node, d, device.name, device.pci_bus_id,
                                         device.uuid));
    }

    // 4. Every collective, in turn.
    std::uint64_t elements_checked = 0;
    std::string check_detail;
    for (std::size_t c = 0; c < s.collectives.size(); ++c) {
      const NcclCollective collective = s.collectives[c];
      const std::string name(nccl_collective_name(collective));
      context.report(fmt::format("{} ({}/{})", name, c + 1, s.collectives.size()));
      NcclRunRequest request;
      request.collective = collective;
      request.sizes = nccl_sweep(collective, s.min_bytes, s.max_bytes, world->ranks);
      request.warmup = s.warmup;
      request.iterations = s.iterations;
      request.repetitions = s.repetitions;
      request.timeout_seconds = s.timeout_seconds;
      request.control.cancel = context.cancel;
      if (comm != nullptr) {
        request.synchronize = [&]() -> std::string {
          if (auto met = comm->barrier(stop_within(s.timeout_seconds, context)); !met) {
            return fmt::format("the barrier before timing (over assay's Communicator) failed on {}: {}", context.node,
                               met.error().message);
          }
          return {};
        };
      }
      NcclRunOutcome outcome = opened.session->run(request);
      if (outcome.error.empty() && outcome.seconds.size() != request.sizes.size()) {
        outcome.error = "the module returned no times";
      }
      // 0: measured and right, 1: wrong data somewhere, 2: failed somewhere.
      const int status = !outcome.error.empty() ? 2 : !outcome.check_failure.empty() ? 1 : 0;
      auto worst = agree(comm, status, s, context, fmt::format("{} sweep", name));
      if (!worst) return fail(worst.error().message);
      if (*worst == 2) {
        return fail(!outcome.error.empty()
                        ? fmt::format("{} on {}: {}", name, context.node, outcome.error)
                        : fmt::format("{}: another process failed (its result says why)", name));
      }
      if (*worst == 1) {
        result.validation.checked = true;
        result.validation.passed = false;
        result.validation.detail =
            outcome.check_failure.empty()
                ? fmt::format("{}: another process found wrong results (its result says which)", name)
                : fmt::format("{}: wrong results on {}: {} ({})", name, context.node, outcome.check_failure,
                              outcome.check_detail);
        return fail(fmt::format("{}: wrong results, so no figure is reported: {}", name, result.validation.detail));
      }
      elements_checked += outcome.elements_checked;
      check_detail = outcome.check_detail;

      // The slowest process's time for every sample.
      std::vector<std::vector<double>> slowest = outcome.seconds;
      if (comm != nullptr) {
        for (auto& samples : slowest) {
          for (double& t : samples) {
            auto most = comm->max_over_ranks(t, stop_within(s.timeout_seconds, context));
            if (!most) return fail(fmt::format("agreeing on the {} times failed: {}", name, most.error().message));
            t = *most;
          }
        }
      }
      if (process == 0) record(result, collective, request, slowest, world->ranks, s);
    }

    result.validation.checked = true;
    result.validation.passed = true;
    result.validation.detail = fmt::format(
        "{}; every process agreed that none of its sampled elements was wrong; {} elements compared on {} over {} "
        "collective(s)",
        check_detail, elements_checked, context.node, s.collectives.size());
    result.notes.push_back(fmt::format(
        "communicators: joined non-blocking (ncclCommInitRankConfig, polled, aborted at the {:g} s timeout or on "
        "cancel), measured on blocking ones split off them (ncclCommSplit), as nccl-tests' are",
        s.timeout_seconds));
    result.notes.push_back(fmt::format(
        "sweep from {} doubling to {} (element counts rounded down to a multiple of the rank count where the "
        "collective splits the vector); at every size {} warm-up and {} timed calls per sample, {} samples; a "
        "sample's time is the slowest GPU's (CUDA events) of the slowest process",
        bytes_text(s.min_bytes), bytes_text(s.max_bytes), s.warmup, s.iterations, s.repetitions));
    result.notes.push_back(
        "bytes as nccl-tests counts them (probes/interconnect/bus_bandwidth.h): algbw = size / time; busbw = algbw x "
        "2(n-1)/n for allreduce, x (n-1)/n for allgather, reduce_scatter and alltoall, n = GPUs in all");
    return result;
  }

  // The largest `status` over every process (the process alone: its own).
  Expected<int> agree(Communicator* comm, int status, const Settings& s, const ProbeContext& context,
                      std::string_view step) const {
    if (comm == nullptr) return status;
    const CommStop stop = stop_within(2 * s.timeout_seconds + agreement_margin_seconds, context);
    auto worst = comm->max_over_ranks(static_cast<double>(status), stop);
    if (!worst) {
      return environment_error(fmt::format("agreeing after {} failed on {}: {}", step, context.node,
                                           worst.error().message));
    }
    return static_cast<int>(*worst);
  }

  void record(ProbeResult& result, NcclCollective collective, const NcclRunRequest& request,
              const std::vector<std::vector<double>>& seconds, int ranks, const Settings& s) const {
    const Collective kind = to_collective(collective);
    ResultTable table{fmt::format("sweep.{}", nccl_collective_name(collective)),
                      {{"bytes", Unit::byte}, {"time", Unit::second}, {"algbw", Unit::byte_per_s},
                       {"busbw", Unit::byte_per_s}},
                      {}};
    for (std::size_t i = 0; i < request.sizes.size(); ++i) {
      const std::int64_t bytes = request.sizes[i].size_bytes;
      const double time = summarize(seconds[i]).median;
      table.rows.push_back({static_cast<double>(bytes), time, algorithm_bandwidth(bytes, time),
                            bus_bandwidth(kind, ranks, bytes, time)});
    }
    const NcclSize& largest = request.sizes.back();
    std::vector<double> busbw;
    for (double t : seconds.back()) busbw.push_back(bus_bandwidth(kind, ranks, largest.size_bytes, t));
    result.metrics.push_back(make_metric(
        nccl_busbw_key(collective), Unit::byte_per_s, Better::higher, std::move(busbw), ValueRule::median,
        result.subject,
        fmt::format("busbw = algbw x {} = {:.4g} over {} GPUs at {} ({}: {}); {} calls per sample after {} warm-up, "
                    "slowest GPU's time; median of {} samples",
                    factor_text(collective), bus_bandwidth_factor(kind, ranks), ranks, bytes_text(largest.size_bytes),
                    "size", size_meaning(collective), s.iterations, s.warmup, s.repetitions)));
    result.tables.push_back(std::move(table));
  }

  std::function<const GpuSetup&()> setup_;
};

}  // namespace

std::unique_ptr<Probe> make_nccl_probe_with(std::function<const GpuSetup&()> setup) {
  return std::make_unique<NcclProbe>(std::move(setup));
}

}  // namespace assay::gpu

namespace assay {

std::unique_ptr<Probe> make_interconnect_nccl_probe() {
  return gpu::make_nccl_probe_with([]() -> const gpu::GpuSetup& { return gpu::gpu_setup(); });
}

}  // namespace assay
