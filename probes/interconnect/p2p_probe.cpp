#include "probes/interconnect/p2p_probe.h"

#include <fmt/format.h>

#include <new>
#include <string>
#include <vector>

#include "core/units.h"
#include "probes/common/host_topology.h"
#include "probes/interconnect/round_robin.h"

namespace assay {
namespace {

constexpr std::string_view probe_name = "interconnect.p2p";
// Leave room for the rest of the process, the MPI library's own buffers, and other
// ranks on the same host.
constexpr double usable_fraction_of_available = 0.5;
constexpr std::int64_t mib = std::int64_t{1} << 20;
constexpr std::int64_t gib = std::int64_t{1} << 30;

class InterconnectP2pProbe final : public Probe {
 public:
  std::string_view name() const override { return probe_name; }

  std::string_view description() const override {
    return "latency, bandwidth and bidirectional bandwidth of every pair of nodes (OSU-style loops over MPI), "
           "pairs in round-robin rounds, every message checked";
  }

  std::vector<ParamSpec> params() const override {
    const P2pSettings d;
    return {
        {"latency_bytes", ParamKind::size_bytes, static_cast<std::int64_t>(d.latency_bytes),
         "message size of the latency test", 1.0, static_cast<double>(64 * mib)},
        {"bandwidth_bytes", ParamKind::size_bytes, static_cast<std::int64_t>(d.bandwidth_bytes),
         "message size of the bandwidth tests", 1.0, static_cast<double>(gib)},
        {"window", ParamKind::integer, std::int64_t{d.window},
         "non-blocking sends in flight per iteration of the bandwidth tests (osu_bw's window); the receiver "
         "holds one buffer per slot",
         1.0, 1024.0},
        {"latency_iterations", ParamKind::integer, std::int64_t{d.latency_iterations},
         "timed round trips of the latency test per repetition", 1.0, 1e8},
        {"latency_warmup", ParamKind::integer, std::int64_t{d.latency_warmup},
         "untimed round trips before them", 0.0, 1e8},
        {"bandwidth_iterations", ParamKind::integer, std::int64_t{d.bandwidth_iterations},
         "timed windows of the bandwidth tests per repetition", 1.0, 1e6},
        {"bandwidth_warmup", ParamKind::integer, std::int64_t{d.bandwidth_warmup},
         "untimed windows before them", 0.0, 1e6},
        {"repetitions", ParamKind::integer, std::int64_t{d.repetitions},
         "repetitions of the four tests per pair; each gives one sample, the value is their median", 1.0, 1000.0},
        {"timeout", ParamKind::seconds, d.timeout_seconds,
         "how long one test of one pair may take before the peer counts as not answering", 1.0, 86400.0},
    };
  }

  std::vector<MetricSpec> metrics() const override {
    return {
        {"interconnect.p2p.latency", Unit::second, Better::lower,
         "half the round trip of a small message between two nodes (osu_latency); subject A<->B"},
        {"interconnect.p2p.bandwidth", Unit::byte_per_s, Better::higher,
         "one-way bandwidth with a window of non-blocking sends (osu_bw); subject A->B, reported by A"},
        {"interconnect.p2p.bibandwidth", Unit::byte_per_s, Better::higher,
         "both directions at once, their sum (osu_bibw); subject A<->B"},
    };
  }

  Availability availability() const override { return mpi_probe_availability(); }

  bool needs_peers() const override { return true; }

  Expected<void> check_params(const ParamList& params) const override {
    auto settings = p2p_settings(params, read_host_memory().available_bytes);
    if (!settings) return settings.error();
    return {};
  }

  ProbeResult run(const ParamList& params, const ProbeContext& context) const override {
    ProbeResult result;
    result.probe = std::string(probe_name);
    result.node = context.node;
    result.subject = "links";
    result.params = params;

    auto settings = p2p_settings(params, read_host_memory().available_bytes);
    if (!settings) return error_result(std::move(result), settings.error().message);
    Communicator* comm = context.peers;
    if (!comm || comm->size() < 2) {
      return error_result(std::move(result), fmt::format("{}: needs two or more nodes: launch assay with mpirun or srun, "
                                                   "one rank per node",
                                                   probe_name));
    }
    const int ranks = comm->size();
    set_param(result.params, "ranks", std::int64_t{ranks});

    Expected<P2pOutcome> measured = internal_error("not measured");
    try {
      measured = measure_p2p(*settings, *comm, context.peer_nodes, context);
    } catch (const std::bad_alloc&) {
      return error_result(std::move(result),
                    fmt::format("{}: could not allocate {} of message buffers on {}; lower window or bandwidth_bytes",
                                probe_name, format_quantity(static_cast<double>(settings->buffer_bytes()), Unit::byte),
                                context.node));
    }
    if (!measured) return error_result(std::move(result), measured.error().message);
    P2pOutcome& outcome = *measured;

    result.validation.checked = true;
    result.validation.passed = outcome.mismatches.empty();
    result.validation.detail = fmt::format(
        "every message this node received was compared byte for byte with its sender's pattern after the "
        "timed loops (receive buffers poisoned before each loop): {} latency buffers and {} window slots, {} "
        "in all",
        outcome.ping_buffers_checked, outcome.window_slots_checked, format_quantity(outcome.bytes_checked, Unit::byte));
    add_notes(result, *settings, *comm, outcome);
    if (!outcome.mismatches.empty()) {
      std::string list;
      for (std::size_t i = 0; i < outcome.mismatches.size() && i < 5; ++i) list += "; " + outcome.mismatches[i];
      result.validation.detail += fmt::format("; {} check(s) FAILED{}", outcome.mismatches.size(), list);
      return error_result(std::move(result),
                    fmt::format("{}: data received on {} is wrong in {} check(s), so no figure is reported{}",
                                probe_name, context.node, outcome.mismatches.size(), list));
    }
    result.metrics = std::move(outcome.metrics);
    return result;
  }

 private:
  static void add_notes(ProbeResult& result, const P2pSettings& s, const Communicator& comm,
                        const P2pOutcome& outcome) {
    const int ranks = comm.size();
    result.notes.push_back(fmt::format("transport: {}; {} nodes", comm.transport(), ranks));
    result.notes.push_back(fmt::format(
        "schedule: round-robin tournament, {} rounds of {} concurrent pairs{}, a barrier between rounds; this "
        "node met {} peers",
        outcome.rounds, ranks / 2, ranks % 2 ? " (one node sits out each round)" : "", outcome.pairs));
    result.notes.push_back(fmt::format(
        "latency: {} messages, {} round trips after {} warm-up, half the round trip; bandwidth: {} messages, "
        "window {}, {} iterations after {} warm-up; {} repetitions per pair, median reported",
        format_quantity(static_cast<double>(s.latency_bytes), Unit::byte), s.latency_iterations, s.latency_warmup,
        format_quantity(static_cast<double>(s.bandwidth_bytes), Unit::byte), s.window, s.bandwidth_iterations,
        s.bandwidth_warmup, s.repetitions));
    result.notes.push_back(
        "subjects: latency and bibandwidth A<->B reported by A, the lower rank; bandwidth A->B reported by "
        "the sender A, both directions measured");
  }
};

}  // namespace

Expected<P2pSettings> p2p_settings(const ParamList& params, std::int64_t available_bytes) {
  P2pSettings s;
  s.latency_bytes = static_cast<std::size_t>(param_int(params, "latency_bytes"));
  s.bandwidth_bytes = static_cast<std::size_t>(param_int(params, "bandwidth_bytes"));
  s.window = static_cast<int>(param_int(params, "window"));
  s.latency_iterations = static_cast<int>(param_int(params, "latency_iterations"));
  s.latency_warmup = static_cast<int>(param_int(params, "latency_warmup"));
  s.bandwidth_iterations = static_cast<int>(param_int(params, "bandwidth_iterations"));
  s.bandwidth_warmup = static_cast<int>(param_int(params, "bandwidth_warmup"));
  s.repetitions = static_cast<int>(param_int(params, "repetitions"));
  s.timeout_seconds = param_real(params, "timeout");

  // The specs bound each value; what is checked here is what they cannot see alone.
  if (s.latency_bytes < 1 || s.bandwidth_bytes < 1 || s.window < 1 || s.latency_iterations < 1 ||
      s.latency_warmup < 0 || s.bandwidth_iterations < 1 || s.bandwidth_warmup < 0 || s.repetitions < 1 ||
      !(s.timeout_seconds > 0)) {
    return bad_input(fmt::format("{}: sizes, window, iterations, repetitions and timeout must be positive and "
                                 "warm-ups not negative",
                                 probe_name));
  }
  if (available_bytes > 0 &&
      static_cast<double>(s.buffer_bytes()) > usable_fraction_of_available * static_cast<double>(available_bytes)) {
    return bad_input(fmt::format(
        "{}: window={} x bandwidth_bytes={} needs {} of message buffers per node, more than {:.0f}% of the {} this "
        "host has available; lower window or bandwidth_bytes",
        probe_name, s.window, format_quantity(static_cast<double>(s.bandwidth_bytes), Unit::byte),
        format_quantity(static_cast<double>(s.buffer_bytes()), Unit::byte), 100 * usable_fraction_of_available,
        format_quantity(static_cast<double>(available_bytes), Unit::byte)));
  }
  return s;
}

std::unique_ptr<Probe> make_interconnect_p2p_probe() { return std::make_unique<InterconnectP2pProbe>(); }

}  // namespace assay
