#include "probes/interconnect/collective_probe.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <new>
#include <string>

#include "core/stats.h"
#include "core/units.h"
#include "probes/common/host_topology.h"
#include "probes/interconnect/collective_definition.h"
#include "probes/interconnect/message_buffers.h"

namespace assay {
namespace {

constexpr std::int64_t mib = std::int64_t{1} << 20;
constexpr std::int64_t gib = std::int64_t{1} << 30;
// Sizes up to this get the full iteration counts; larger ones fewer, in proportion.
constexpr std::int64_t full_count_bytes = mib;
constexpr int least_large_iterations = 5;
constexpr int root_rank = 0;
// Leave room for the rest of the process, the MPI library's buffers, other ranks.
constexpr double usable_fraction_of_available = 0.5;

struct Settings {
  std::int64_t min_bytes = 8;
  std::int64_t max_bytes = 256 * mib;
  int iterations = 100;
  int warmup = 10;
  int repetitions = 5;
  double timeout_seconds = 60;
};

std::string bytes_text(std::int64_t bytes) { return format_quantity(static_cast<double>(bytes), Unit::byte); }

class CollectiveProbe final : public Probe {
 public:
  explicit CollectiveProbe(const CollectiveDefinition& definition)
      : def_(definition),
        name_(fmt::format("interconnect.{}", collective_name(definition.kind))),
        key_(name_ + ".busbw"),
        description_(fmt::format("MPI {} over all nodes, 8 B to max_bytes: time, algbw and busbw as nccl-tests "
                                 "counts them, every element checked",
                                 collective_name(definition.kind))) {}

  std::string_view name() const override { return name_; }
  std::string_view description() const override { return description_; }

  std::vector<ParamSpec> params() const override {
    const Settings d;
    return {
        {"min_bytes", ParamKind::size_bytes, d.min_bytes, "smallest message size of the sweep", 4.0,
         static_cast<double>(16 * gib)},
        {"max_bytes", ParamKind::size_bytes, d.max_bytes,
         "largest message size of the sweep, where the headline busbw is measured", 4.0,
         static_cast<double>(16 * gib)},
        {"iterations", ParamKind::integer, std::int64_t{d.iterations},
         "timed calls per size up to 1 MiB; larger sizes get iterations x 1 MiB / size, at least 5", 1.0, 1e6},
        {"warmup", ParamKind::integer, std::int64_t{d.warmup},
         "untimed calls before them, scaled down the same way (at least 1)", 0.0, 1e6},
        {"repetitions", ParamKind::integer, std::int64_t{d.repetitions},
         "measurements at the largest size; each gives one busbw sample", 1.0, 1000.0},
        {"timeout", ParamKind::seconds, d.timeout_seconds,
         "how long one measurement (warm-up and timed calls at one size) may take before the nodes count as "
         "not answering",
         1.0, 86400.0},
    };
  }

  std::vector<MetricSpec> metrics() const override {
    return {{key_, Unit::byte_per_s, Better::higher,
             fmt::format("{} bus bandwidth at the largest size (nccl-tests' busbw: algbw x {}); subject fleet",
                         collective_name(def_.kind), factor_text())}};
  }

  Availability availability() const override { return mpi_probe_availability(); }

  bool needs_peers() const override { return true; }

  Expected<void> check_params(const ParamList& params) const override {
    auto settings = read_settings(params, read_host_memory().available_bytes);
    if (!settings) return settings.error();
    return {};
  }

  ProbeResult run(const ParamList& params, const ProbeContext& context) const override {
    ProbeResult result;
    result.probe = name_;
    result.node = context.node;
    result.subject = "fleet";
    result.params = params;

    auto settings = read_settings(params, read_host_memory().available_bytes);
    if (!settings) return error_result(std::move(result), settings.error().message);
    Communicator* comm = context.peers;
    if (!comm || comm->size() < 2) {
      return error_result(std::move(result), fmt::format("{}: needs two or more nodes: launch assay with mpirun or srun, "
                                                   "one rank per node",
                                                   name_));
    }
    set_param(result.params, "ranks", std::int64_t{comm->size()});
    try {
      return measure(std::move(result), *settings, *comm, context);
    } catch (const std::bad_alloc&) {
      // Thrown before any communication, so every rank that fails here fails alike.
      return error_result(std::move(result), fmt::format("{}: could not allocate the buffers for {} on {}; lower max_bytes",
                                                   name_, bytes_text(settings->max_bytes), context.node));
    }
  }

 private:
  std::string factor_text() const {
    switch (def_.kind) {
      case Collective::allreduce: return "2(n-1)/n";
      case Collective::broadcast: return "1";
      default: return "(n-1)/n";
    }
  }

  Expected<Settings> read_settings(const ParamList& params, std::int64_t available_bytes) const {
    Settings s;
    s.min_bytes = param_int(params, "min_bytes");
    s.max_bytes = param_int(params, "max_bytes");
    s.iterations = static_cast<int>(param_int(params, "iterations"));
    s.warmup = static_cast<int>(param_int(params, "warmup"));
    s.repetitions = static_cast<int>(param_int(params, "repetitions"));
    s.timeout_seconds = param_real(params, "timeout");
    if (s.min_bytes < collective_element_bytes || s.max_bytes < s.min_bytes) {
      return bad_input(fmt::format("{}: min_bytes={} and max_bytes={}: expected 4 B <= min_bytes <= max_bytes",
                                   name_, bytes_text(s.min_bytes), bytes_text(s.max_bytes)));
    }
    if (s.iterations < 1 || s.warmup < 0 || s.repetitions < 1 || !(s.timeout_seconds > 0)) {
      return bad_input(fmt::format("{}: iterations, repetitions and timeout must be positive, warmup not negative",
                                   name_));
    }
    // Send and receive buffers of the largest size (alltoall and allreduce need both).
    const double needed = 2.0 * static_cast<double>(s.max_bytes);
    if (available_bytes > 0 && needed > usable_fraction_of_available * static_cast<double>(available_bytes)) {
      return bad_input(fmt::format(
          "{}: max_bytes={} needs {} of buffers per node, more than {:.0f}% of the {} this host has available; "
          "lower max_bytes",
          name_, bytes_text(s.max_bytes), format_quantity(needed, Unit::byte), 100 * usable_fraction_of_available,
          format_quantity(static_cast<double>(available_bytes), Unit::byte)));
    }
    return s;
  }

  CommStop stop_within(double seconds, const ProbeContext& context) const {
    return CommStop::within(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                std::chrono::duration<double>(seconds)),
                            context.cancel);
  }

  // The Error for a call that failed while measuring at `size`.
  std::string comm_error(const Error& error, const CommStop& stop, const Settings& s, std::string_view what,
                         std::int64_t size, const ProbeContext& context) const {
    const std::string during = fmt::format("{} at {} on {}", what, bytes_text(size), context.node);
    if (stop.cancelled()) return fmt::format("{}: cancelled during {}", name_, during);
    if (stop.expired()) {
      return fmt::format("{}: not every node answered within {} during {}: a node stopped answering or died, or "
                         "the network is too slow for this timeout",
                         name_, fmt::format("{:g} s", s.timeout_seconds), during);
    }
    return fmt::format("{}: {} failed: {}", name_, during, error.message);
  }

  ProbeResult measure(ProbeResult result, const Settings& s, Communicator& comm, const ProbeContext& context) const {
    const int ranks = comm.size(), rank = comm.rank();
    const std::vector<CollectiveLayout> sweep = collective_sweep(def_.kind, s.min_bytes, s.max_bytes, ranks);
    const CollectiveLayout& largest = sweep.back();
    MessageBuffer send_memory(largest.send_elements * sizeof(float));
    MessageBuffer receive_memory(largest.receive_elements * sizeof(float));
    const auto keep_buffers = [&] {
      send_memory.keep_for_pending_requests();
      receive_memory.keep_for_pending_requests();
    };

    const CommStop start = stop_within(s.timeout_seconds, context);
    if (auto met = comm.barrier(start); !met) {
      return error_result(std::move(result),
                    comm_error(met.error(), start, s, "the barrier before", sweep.front().size_bytes, context));
    }

    ResultTable table{"sweep",
                      {{"bytes", Unit::byte}, {"time", Unit::second}, {"algbw", Unit::byte_per_s},
                       {"busbw", Unit::byte_per_s}},
                      {}};
    std::vector<double> headline;
    std::size_t elements_checked = 0;
    for (std::size_t index = 0; index < sweep.size(); ++index) {
      const CollectiveLayout& layout = sweep[index];
      const bool last = index + 1 == sweep.size();
      const int calls = collective_iterations(layout.size_bytes, s.iterations);
      const int warmup = collective_warmup(layout.size_bytes, s.warmup);
      const int repetitions = last ? s.repetitions : 1;
      const std::span<float> send = send_memory.floats(layout.send_elements);
      const std::span<float> receive = receive_memory.floats(layout.receive_elements);
      std::vector<double> times;
      for (int rep = 0; rep < repetitions; ++rep) {
        context.report(fmt::format("{} ({}/{}){}", bytes_text(layout.size_bytes), index + 1, sweep.size(),
                                   last ? fmt::format(" repetition {}/{}", rep + 1, repetitions) : std::string()));
        def_.fill(layout, rank, ranks, root_rank, send, receive);
        const CommStop stop = stop_within(s.timeout_seconds, context);
        auto seconds = comm.collective(def_.kind, send, receive, root_rank, warmup, calls, stop);
        if (!seconds) {
          keep_buffers();
          return error_result(std::move(result), comm_error(seconds.error(), stop, s, "the timed calls", layout.size_bytes,
                                                      context));
        }
        const ElementCheck check = def_.check(layout, rank, ranks, root_rank, receive);
        elements_checked += check.checked;
        // Agreed by every rank, so they end the sweep (or go on) together.
        const CommStop agree = stop_within(s.timeout_seconds, context);
        auto slowest = comm.max_over_ranks(*seconds / calls, agree);
        auto worst_bad = slowest ? comm.max_over_ranks(static_cast<double>(check.bad), agree) : slowest;
        if (!worst_bad) {
          keep_buffers();
          return error_result(std::move(result), comm_error(worst_bad.error(), agree, s, "agreeing on the time",
                                                      layout.size_bytes, context));
        }
        if (*worst_bad > 0) {
          return wrong_data(std::move(result), layout, check, *worst_bad, elements_checked, context);
        }
        times.push_back(*slowest);
      }
      const double time = summarize(times).median;
      table.rows.push_back({static_cast<double>(layout.size_bytes), time,
                            algorithm_bandwidth(layout.size_bytes, time),
                            bus_bandwidth(def_.kind, ranks, layout.size_bytes, time)});
      if (last) {
        for (double t : times) headline.push_back(bus_bandwidth(def_.kind, ranks, layout.size_bytes, t));
      }
    }

    result.validation.checked = true;
    result.validation.passed = true;
    result.validation.detail = fmt::format(
        "after the last timed call of every size and repetition each rank compared every element it received "
        "with the exact result ({}; small integers, exact in float) and the ranks agreed on the worst count of "
        "wrong elements: 0; this node checked {} elements over {} sizes",
        def_.result_text, elements_checked, sweep.size());
    add_notes(result, s, comm, sweep);
    // One figure for the fleet: every rank holds the same (slowest-rank) times, rank 0 reports them.
    if (rank == 0) {
      result.metrics.push_back(make_metric(
          key_, Unit::byte_per_s, Better::higher, std::move(headline), ValueRule::median, "fleet",
          fmt::format("busbw = algbw x {} over {} ranks at {} ({} calls after {} warm-up, slowest rank's time), "
                      "median of {} repetitions",
                      factor_text(), ranks, bytes_text(largest.size_bytes),
                      collective_iterations(largest.size_bytes, s.iterations),
                      collective_warmup(largest.size_bytes, s.warmup), s.repetitions)));
      result.tables.push_back(std::move(table));
    }
    return result;
  }

  ProbeResult wrong_data(ProbeResult result, const CollectiveLayout& layout, const ElementCheck& mine, double worst,
                         std::size_t elements_checked, const ProbeContext& context) const {
    const std::string here =
        mine.bad > 0 ? fmt::format("{} of {} wrong on this node {}, first element {}: got {}, expected {}", mine.bad,
                                   mine.checked, context.node, mine.first_bad, mine.got, mine.expected)
                     : fmt::format("none wrong on this node {}", context.node);
    result.validation.checked = true;
    result.validation.passed = false;
    result.validation.detail = fmt::format(
        "received elements compared with the exact result ({}): up to {:.0f} wrong per node at {} ({}); {} "
        "elements checked on this node",
        def_.result_text, worst, bytes_text(layout.size_bytes), here, elements_checked);
    return error_result(std::move(result),
                  fmt::format("{}: wrong results at {}: up to {:.0f} elements per node differ from the exact result "
                              "({}), so no figure is reported",
                              name_, bytes_text(layout.size_bytes), worst, here));
  }

  void add_notes(ProbeResult& result, const Settings& s, const Communicator& comm,
                 const std::vector<CollectiveLayout>& sweep) const {
    const CollectiveLayout& largest = sweep.back();
    result.notes.push_back(fmt::format("transport: {}; {} ranks; MPI_I{} on MPI_FLOAT{}, waited by polling",
                                       comm.transport(), comm.size(), mpi_call_suffix(),
                                       def_.kind == Collective::broadcast ? " from rank 0"
                                       : def_.kind == Collective::allgather || def_.kind == Collective::alltoall
                                           ? ""
                                           : " with MPI_SUM"));
    result.notes.push_back(fmt::format(
        "sweep: {} sizes from {} to {} (doubling; element counts rounded down to a multiple of the rank count "
        "where the collective splits the vector); {} timed calls after {} warm-up up to 1 MiB, fewer above "
        "(iterations x 1 MiB / size, at least {}); a call's time is the slowest rank's",
        sweep.size(), bytes_text(sweep.front().size_bytes), bytes_text(largest.size_bytes), s.iterations, s.warmup,
        std::min(least_large_iterations, s.iterations)));
    result.notes.push_back(fmt::format(
        "bytes as nccl-tests counts them ({}): algbw = bytes / time, busbw = algbw x {} = {:.4g}",
        size_meaning(), factor_text(), bus_bandwidth_factor(def_.kind, comm.size())));
    result.notes.push_back(fmt::format("largest size: {} repetitions, the table row holds their median time",
                                       s.repetitions));
  }

  std::string_view mpi_call_suffix() const {
    switch (def_.kind) {
      case Collective::allreduce: return "allreduce";
      case Collective::allgather: return "allgather";
      case Collective::reduce_scatter: return "reduce_scatter_block";
      case Collective::alltoall: return "alltoall";
      case Collective::broadcast: return "bcast";
    }
    return "";
  }

  std::string_view size_meaning() const {
    switch (def_.kind) {
      case Collective::allreduce: return "the vector each rank sends and receives";
      case Collective::allgather: return "the gathered vector each rank receives, n blocks";
      case Collective::reduce_scatter: return "the vector each rank sends, n blocks";
      case Collective::alltoall: return "the vector each rank sends and receives, n blocks";
      case Collective::broadcast: return "the root's vector";
    }
    return "";
  }

  const CollectiveDefinition& def_;
  std::string name_;
  std::string key_;
  std::string description_;
};

}  // namespace

std::vector<CollectiveLayout> collective_sweep(Collective kind, std::int64_t min_bytes, std::int64_t max_bytes,
                                               int ranks) {
  std::vector<CollectiveLayout> sweep;
  const auto add = [&](std::int64_t bytes) {
    const CollectiveLayout layout = collective_layout(kind, bytes, ranks);
    if (sweep.empty() || layout.size_bytes > sweep.back().size_bytes) sweep.push_back(layout);
  };
  for (std::int64_t bytes = std::max<std::int64_t>(min_bytes, 1); bytes < max_bytes; bytes *= 2) add(bytes);
  add(std::max(max_bytes, min_bytes));
  return sweep;
}

int collective_iterations(std::int64_t size_bytes, int iterations) {
  if (size_bytes <= full_count_bytes) return iterations;
  const double scaled = static_cast<double>(iterations) * static_cast<double>(full_count_bytes) /
                        static_cast<double>(size_bytes);
  return std::clamp(static_cast<int>(scaled), std::min(least_large_iterations, iterations), iterations);
}

int collective_warmup(std::int64_t size_bytes, int warmup) {
  if (size_bytes <= full_count_bytes) return warmup;
  const double scaled =
      static_cast<double>(warmup) * static_cast<double>(full_count_bytes) / static_cast<double>(size_bytes);
  return std::clamp(static_cast<int>(scaled), std::min(1, warmup), warmup);
}

std::unique_ptr<Probe> make_interconnect_collective_probe(Collective kind) {
  return std::make_unique<CollectiveProbe>(collective_definition(kind));
}

std::vector<std::unique_ptr<Probe>> make_interconnect_collective_probes() {
  std::vector<std::unique_ptr<Probe>> probes;
  for (Collective kind : {Collective::allreduce, Collective::allgather, Collective::reduce_scatter,
                          Collective::alltoall, Collective::broadcast}) {
    probes.push_back(make_interconnect_collective_probe(kind));
  }
  return probes;
}

}  // namespace assay
